package io.stowage.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code skopeo} pushes images built in the test to the registry and reads them back: the digests
 * that come back are the digests that went in, tags are listed and a deleted image is gone.
 */
class SkopeoE2ETest {

    @RegisterExtension
    final RegistryExtension server = new RegistryExtension();

    @TempDir
    Path temp;

    private final Skopeo skopeo = new Skopeo();

    @BeforeEach
    void requireSkopeo() {
        Tools.requireOnPath("skopeo");
    }

    private String docker(String repositoryAndReference) {
        return "docker://" + server.registry().hostPort() + "/" + repositoryAndReference;
    }

    @Test
    void multiLayerImageCopiedToTheRegistryAndBackKeepsItsDigests() throws Exception {
        OciLayoutBuilder source = new OciLayoutBuilder(temp.resolve("source"), 1);
        OciLayoutBuilder.BuiltImage image = source.addImage("v1", 3);

        skopeo.push(source.reference("v1"), docker("team/app:v1"), false);

        byte[] raw = skopeo.inspectRaw(docker("team/app:v1"));
        assertEquals(image.manifest().digest(), Digests.sha256(raw), "manifest as served by the registry");

        OciHttpClient http = new OciHttpClient(server.registry().baseUri());
        List<OciLayoutBuilder.Descriptor> blobs = new ArrayList<>(image.layers());
        blobs.add(image.config());
        for (OciLayoutBuilder.Descriptor blob : blobs) {
            OciHttpClient.BlobRead read = http.getBlob("team/app", blob.digest());
            assertEquals(200, read.status(), "GET blob " + blob.digest() + ": " + read.errorBody());
            assertEquals(blob.digest(), read.digest());
            assertEquals(blob.size(), read.length());
        }

        Path copy = temp.resolve("copy");
        skopeo.pull(docker("team/app:v1"), "oci:" + copy + ":v1", false);
        OciLayoutReader back = new OciLayoutReader(copy);
        assertEquals(image.manifest().digest(), back.digestOf("v1"), "manifest digest after the round trip");
        for (OciLayoutBuilder.Descriptor blob : blobs) {
            assertEquals(blob.digest(), Digests.sha256(back.blobPath(blob.digest())), "blob after the round trip");
        }
    }

    @Test
    void multiPlatformIndexCopiedWithAllKeepsIndexAndChildDigests() throws Exception {
        OciLayoutBuilder source = new OciLayoutBuilder(temp.resolve("source"), 2);
        OciLayoutBuilder.BuiltIndex index = source.addMultiPlatformIndex("multi", 2);

        skopeo.push(source.reference("multi"), docker("team/app:multi"), true);

        assertEquals(index.index().digest(), Digests.sha256(skopeo.inspectRaw(docker("team/app:multi"))),
                "index as served by the registry");
        for (OciLayoutBuilder.BuiltImage child : index.images()) {
            byte[] raw = skopeo.inspectRaw(docker("team/app@" + child.manifest().digest()));
            assertEquals(child.manifest().digest(), Digests.sha256(raw),
                    child.platform() + " manifest served by digest");
        }

        Path copy = temp.resolve("copy");
        skopeo.pull(docker("team/app:multi"), "oci:" + copy + ":multi", true);
        OciLayoutReader back = new OciLayoutReader(copy);
        assertEquals(index.index().digest(), back.digestOf("multi"), "index digest after the round trip");
        for (OciLayoutBuilder.BuiltImage child : index.images()) {
            assertEquals(child.manifest().digest(), Digests.sha256(back.blobPath(child.manifest().digest())));
            for (OciLayoutBuilder.Descriptor layer : child.layers()) {
                assertEquals(layer.digest(), Digests.sha256(back.blobPath(layer.digest())),
                        child.platform() + " layer after the round trip");
            }
        }
    }

    @Test
    void listTagsShowsEveryPushedTag() {
        OciLayoutBuilder source = new OciLayoutBuilder(temp.resolve("source"), 3);
        source.addImage("v1", 1);
        source.addImage("v2", 2);

        skopeo.push(source.reference("v1"), docker("team/app:v1"), false);
        skopeo.push(source.reference("v2"), docker("team/app:v2"), false);
        skopeo.push(source.reference("v2"), docker("team/app:latest"), false);

        List<String> tags = skopeo.listTags(docker("team/app"));
        assertEquals(List.of("latest", "v1", "v2"), tags.stream().sorted().toList(), "tags of team/app");
    }

    @Test
    void deletedImageIsGoneWhileOtherImagesStay() {
        OciLayoutBuilder source = new OciLayoutBuilder(temp.resolve("source"), 4);
        source.addImage("v1", 2);
        OciLayoutBuilder.BuiltImage kept = source.addImage("v2", 2);
        skopeo.push(source.reference("v1"), docker("team/app:v1"), false);
        skopeo.push(source.reference("v2"), docker("team/app:v2"), false);

        skopeo.delete(docker("team/app:v1"));

        CommandRunner.Result inspect = skopeo.tryInspectRaw(docker("team/app:v1"));
        assertNotEquals(0, inspect.exitCode(), "inspect of the deleted tag should fail:\n" + inspect.stdout());
        assertTrue(inspect.stderr().toLowerCase().contains("manifest unknown")
                        || inspect.stderr().toLowerCase().contains("not found"),
                "inspect should say the manifest is unknown, said:\n" + inspect.stderr());
        assertFalse(skopeo.listTags(docker("team/app")).contains("v1"), "deleted tag still listed");
        assertEquals(kept.manifest().digest(), Digests.sha256(skopeo.inspectRaw(docker("team/app:v2"))),
                "the other tag is untouched");
        JsonNode inspected = skopeo.inspect(docker("team/app:v2"));
        assertEquals(kept.layers().size(), inspected.path("Layers").size(), "layers of the kept image");
    }
}
