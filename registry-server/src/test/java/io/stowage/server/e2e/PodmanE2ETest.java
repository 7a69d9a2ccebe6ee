package io.stowage.server.e2e;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * {@code podman push} and {@code podman pull} through the registry, as root with a private vfs store:
 * after the local image is removed and pulled back, it is the same image (same ID, which is the config
 * digest, and same layer diff IDs) and the registry serves the manifest digest that the push reported.
 */
class PodmanE2ETest {

    @RegisterExtension
    final RegistryExtension server = new RegistryExtension();

    @TempDir
    Path temp;

    @BeforeEach
    void requirePodman() {
        Tools.requireOnPath("podman");
    }

    @Test
    void imagePushedByPodmanPullsBackAsTheSameImage() throws Exception {
        OciLayoutBuilder layout = new OciLayoutBuilder(temp.resolve("layout"), 11);
        OciLayoutBuilder.BuiltImage image = layout.addImage("v1", 3);
        Podman podman = new Podman(temp.resolve("podman"));
        String imageId = Digests.hex(image.config().digest());
        String remote = server.registry().hostPort() + "/team/app:v1";

        podman.run("pull", "--quiet", layout.reference("v1"));
        assertEquals(imageId, podman.inspect(imageId, "{{.Id}}"), "image loaded from the OCI layout");

        Path digestFile = temp.resolve("pushed.digest");
        podman.run("push", "--quiet", "--tls-verify=false", "--digestfile", digestFile.toString(),
                imageId, "docker://" + remote);
        String pushedDigest = Files.readString(digestFile).trim();
        OciHttpClient.ManifestRead served = new OciHttpClient(server.registry().baseUri())
                .getManifest("team/app", "v1", OciLayoutBuilder.MANIFEST_MEDIA_TYPE,
                        "application/vnd.docker.distribution.manifest.v2+json");
        assertEquals(200, served.status(), "GET manifest team/app:v1");
        assertEquals(pushedDigest, Digests.sha256(served.body()), "manifest served is the one podman pushed");

        podman.run("rmi", "--force", imageId);
        assertNotEquals(0, podman.runAllowingFailure("image", "exists", imageId).exitCode(),
                "image should be gone locally before the pull");

        podman.run("pull", "--quiet", "--tls-verify=false", remote);
        assertEquals(imageId, podman.inspect(remote, "{{.Id}}"), "image ID (config digest) after the pull");
        assertEquals(pushedDigest, podman.inspect(remote, "{{.Digest}}"), "manifest digest after the pull");
        assertEquals(String.join(" ", image.diffIds()),
                podman.inspect(remote, "{{range .RootFS.Layers}}{{.}} {{end}}").trim(),
                "layer diff IDs after the pull");
    }
}
