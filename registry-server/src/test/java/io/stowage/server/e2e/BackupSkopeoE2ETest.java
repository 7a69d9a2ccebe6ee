package io.stowage.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backup is an OCI image layout that skopeo reads: images pushed with skopeo to the server (a
 * child process), backed up through the admin API while it runs, then copied out of the backup
 * with {@code skopeo copy oci:BACKUP:team/app:v1} with every digest as pushed. A second backup
 * after one more push copies exactly that image's blobs; a third has nothing to do.
 */
class BackupSkopeoE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final RegistryExtension server = new RegistryExtension();

    @TempDir
    Path temp;

    private final Skopeo skopeo = new Skopeo();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void requireSkopeoAndStowage() {
        Tools.requireOnPath("skopeo");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                !"reference".equals(System.getProperty("stowage.e2e.target")), "backups are Stowage's own");
    }

    @Test
    void skopeoCopiesImagesOutOfABackupWithTheirDigestsAndASecondBackupCopiesOnlyTheNewImage() throws Exception {
        OciLayoutBuilder source = new OciLayoutBuilder(temp.resolve("source"), 11);
        OciLayoutBuilder.BuiltImage v1 = source.addImage("v1", 3);
        OciLayoutBuilder.BuiltIndex multi = source.addMultiPlatformIndex("multi", 2);
        String registry = server.registry().hostPort();
        skopeo.push(source.reference("v1"), "docker://" + registry + "/team/app:v1", false);
        skopeo.push(source.reference("multi"), "docker://" + registry + "/team/app:multi", true);
        Path backup = temp.resolve("backup");

        JsonNode first = backup(backup);
        assertEquals("completed", first.path("outcome").asText(), first.toString());
        assertEquals(2, first.path("tags").asInt());

        assertEquals(v1.manifest().digest(), Digests.sha256(skopeo.inspectRaw("oci:" + backup + ":team/app:v1")));
        Path out = temp.resolve("out");
        skopeo.convert("oci:" + backup + ":team/app:v1", "oci:" + out + ":v1");
        OciLayoutReader copied = new OciLayoutReader(out);
        assertEquals(v1.manifest().digest(), copied.digestOf("v1"));
        List<OciLayoutBuilder.Descriptor> blobs = new ArrayList<>(v1.layers());
        blobs.add(v1.config());
        for (OciLayoutBuilder.Descriptor blob : blobs) {
            assertEquals(blob.digest(), Digests.sha256(copied.blobPath(blob.digest())), "byte for byte: " + blob.digest());
        }
        Path outMulti = temp.resolve("out-multi");
        skopeo.convertAll("oci:" + backup + ":team/app:multi", "oci:" + outMulti + ":multi");
        OciLayoutReader copiedMulti = new OciLayoutReader(outMulti);
        assertEquals(multi.index().digest(), copiedMulti.digestOf("multi"), "the index, with its children");
        for (OciLayoutBuilder.BuiltImage child : multi.images()) {
            assertEquals(child.manifest().digest(), Digests.sha256(copiedMulti.blobPath(child.manifest().digest())));
        }

        // One more image with one layer: its layer, config and manifest are all that the next run writes.
        OciLayoutBuilder more = new OciLayoutBuilder(temp.resolve("more"), 12);
        OciLayoutBuilder.BuiltImage v2 = more.addImage("v2", 1);
        skopeo.push(more.reference("v2"), "docker://" + registry + "/team/app:v2", false);
        List<String> before = blobNames(backup);
        JsonNode second = backup(backup);
        assertEquals("completed", second.path("outcome").asText(), second.toString());
        assertEquals(1, second.path("manifests").path("written").asInt(), second.toString());
        assertEquals(2, second.path("blobs").path("written").asInt(), second.toString());
        List<String> added = new ArrayList<>(blobNames(backup));
        added.removeAll(before);
        assertEquals(List.of(Digests.hex(v2.config().digest()), Digests.hex(v2.layers().get(0).digest()),
                Digests.hex(v2.manifest().digest())).stream().sorted().toList(), added.stream().sorted().toList());
        assertEquals(v2.manifest().digest(), Digests.sha256(skopeo.inspectRaw("oci:" + backup + ":team/app:v2")));

        JsonNode third = backup(backup);
        assertTrue(third.path("unchanged").asBoolean(), third.toString());
        assertEquals(before.size() + 3, blobNames(backup).size());
    }

    private JsonNode backup(Path to) throws Exception {
        HttpResponse<String> started = call("POST", "/admin/backups", "{\"to\":\"" + to + "\"}");
        assertEquals(202, started.statusCode(), started.body());
        String id = JSON.readTree(started.body()).path("id").asText();
        for (int i = 0; i < 600; i++) {
            JsonNode run = JSON.readTree(call("GET", "/admin/backups/" + id, null).body());
            if (!run.path("finishedAt").isNull()) {
                return run;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("backup " + id + " did not finish within 60 s");
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        URI uri = server.registry().baseUri().resolve(path);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> blobNames(Path layout) throws Exception {
        try (Stream<Path> files = Files.walk(layout.resolve("blobs"))) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
