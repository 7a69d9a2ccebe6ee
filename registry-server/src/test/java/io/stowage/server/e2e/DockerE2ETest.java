package io.stowage.server.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The Docker CLI and daemon push and pull a multi-layer image through the registry, by tag and by
 * digest. The image enters the daemon with {@code docker load} of an archive that {@code skopeo} makes
 * from an OCI layout built in the test. Skips unless a daemon answers at {@code DOCKER_HOST} (else
 * {@code unix:///var/run/docker.sock}); {@code .ci/run} starts one.
 */
class DockerE2ETest {

    @RegisterExtension
    final RegistryExtension server = new RegistryExtension();

    @TempDir
    Path temp;

    private final DockerCli docker = new DockerCli();
    private String repository;

    @BeforeEach
    void requireDockerAndSkopeo() {
        Tools.requireOnPath("skopeo");
        Tools.requireDockerDaemon();
    }

    @AfterEach
    void removeLocalImages() {
        if (repository != null) {
            // The daemon may be shared: leave nothing of ours in it.
            String ids = docker.run("image", "ls", "--quiet", "--no-trunc", repository).stdout().trim();
            for (String id : ids.isEmpty() ? new String[0] : ids.split("\\s+")) {
                docker.runAllowingFailure("image", "rm", "--force", id);
            }
        }
    }

    @Test
    void imagePushedByDockerPullsBackByTagAndByDigest() throws Exception {
        OciLayoutBuilder layout = new OciLayoutBuilder(temp.resolve("layout"), 21);
        OciLayoutBuilder.BuiltImage image = layout.addImage("v1", 3);
        repository = server.registry().hostPort() + "/team/app";
        String tagged = repository + ":v1";
        Path archive = temp.resolve("image.tar");
        new Skopeo().convert(layout.reference("v1"), "docker-archive:" + archive + ":" + tagged);

        docker.run("load", "--input", archive.toString());
        String imageId = image.config().digest();
        assertEquals(imageId, docker.inspect(tagged, "{{.Id}}"), "loaded image ID is the config digest");

        String pushed = docker.push(tagged);
        OciHttpClient.ManifestRead served = new OciHttpClient(server.registry().baseUri())
                .getManifest("team/app", "v1", "application/vnd.docker.distribution.manifest.v2+json",
                        OciLayoutBuilder.MANIFEST_MEDIA_TYPE);
        assertEquals(200, served.status(), "GET manifest team/app:v1");
        assertEquals(pushed, Digests.sha256(served.body()), "manifest served is the one docker pushed");

        docker.run("image", "rm", "--force", imageId);
        assertFalse(docker.hasImage(imageId), "image should be gone from the daemon before the pull");

        assertEquals(pushed, docker.pull(tagged), "digest docker pull reports for the tag");
        assertEquals(imageId, docker.inspect(tagged, "{{.Id}}"), "image ID after pull by tag");
        assertEquals(String.join(" ", image.diffIds()),
                docker.inspect(tagged, "{{range .RootFS.Layers}}{{.}} {{end}}").trim(), "layers after pull by tag");

        docker.run("image", "rm", "--force", imageId);
        String byDigest = repository + "@" + pushed;
        assertEquals(pushed, docker.pull(byDigest), "digest docker pull reports for the digest reference");
        assertEquals(imageId, docker.inspect(byDigest, "{{.Id}}"), "image ID after pull by digest");
        assertEquals(byDigest, docker.inspect(byDigest, "{{index .RepoDigests 0}}"), "repo digest after pull");
    }
}
