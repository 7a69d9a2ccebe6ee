package io.stowage.server.e2e;

import io.stowage.server.TestRegistry;
import io.stowage.server.access.AuthFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code docker login}, {@code push}, {@code pull} and {@code logout} against a registry with
 * authentication, once with a password on every request ({@code auth.mode: basic}) and once through
 * the token endpoint ({@code auth.mode: token}), as issue 6 asks: the client works unchanged. A user
 * with pull and push pushes and pulls back the same image, a pull-only user pulls but cannot push,
 * after logout a pull of a repository anonymous users may not read fails, and a wrong password makes
 * the login fail. The CLI keeps its configuration and credentials in the test's temporary directory
 * ({@code DOCKER_CONFIG}); the image enters the daemon with {@code docker load} of an archive that
 * {@code skopeo} makes from an OCI layout built in the test, and everything the test put in the
 * daemon is removed afterwards. Skips unless a daemon answers at {@code DOCKER_HOST} (else
 * {@code unix:///var/run/docker.sock}); {@code .ci/run} starts one. The users and policy are
 * {@link AuthFixture}'s.
 */
class DockerLoginE2ETest {
    @RegisterExtension
    static final TestRegistry basic = new TestRegistry(AuthFixture.mode("basic"));
    @RegisterExtension
    static final TestRegistry token = new TestRegistry(AuthFixture.mode("token"));

    @TempDir
    Path temp;

    private DockerCli docker;
    private String repository;

    @BeforeEach
    void requireDockerAndSkopeo() {
        Tools.requireOnPath("skopeo");
        Tools.requireDockerDaemon();
        docker = new DockerCli(temp.resolve("docker-config"));
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

    @ParameterizedTest(name = "auth.mode {0}")
    @ValueSource(strings = {"basic", "token"})
    void loginPushPullLogoutWorkUnchanged(String mode) {
        String host = "127.0.0.1:" + (mode.equals("basic") ? basic : token).registry().address().getPort();
        repository = host + "/team/app";
        String v1 = repository + ":v1";
        Path config = temp.resolve("docker-config").resolve("config.json");
        OciLayoutBuilder layout = new OciLayoutBuilder(temp.resolve("layout"), 43);
        OciLayoutBuilder.BuiltImage image = layout.addImage("v1", 2);
        String imageId = image.config().digest();
        Path archive = temp.resolve("image.tar");
        new Skopeo().convert(layout.reference("v1"), "docker-archive:" + archive + ":" + v1);
        docker.run("load", "--input", archive.toString());

        CommandRunner.Result pusherLogin = docker.login(host, "pusher", AuthFixture.password("pusher"));
        assertEquals(0, pusherLogin.exitCode(), () -> pusherLogin.describe("login as pusher"));
        assertTrue(pusherLogin.stdout().contains("Login Succeeded"), pusherLogin::stdout);
        assertEquals("pusher", Logins.user(config, host), "credentials in the test's own DOCKER_CONFIG");

        String pushed = docker.push(v1);
        docker.run("image", "rm", "--force", imageId);
        assertEquals(pushed, docker.pull(v1), "digest docker pull reports");
        assertEquals(imageId, docker.inspect(v1, "{{.Id}}"), "image ID (config digest) after the pull");

        CommandRunner.Result pullerLogin = docker.login(host, "puller", AuthFixture.password("puller"));
        assertEquals(0, pullerLogin.exitCode(), () -> pullerLogin.describe("login as puller"));
        assertEquals("puller", Logins.user(config, host), "the new login replaces the old one");
        docker.run("image", "rm", "--force", imageId);
        assertEquals(pushed, docker.pull(v1), "a pull-only user pulls");
        String v2 = repository + ":v2";
        docker.run("tag", v1, v2);
        CommandRunner.Result pullerPush = docker.runAllowingFailure("push", v2);
        assertNotEquals(0, pullerPush.exitCode(), () -> pullerPush.describe("push by a pull-only user"));
        assertTrue(Logins.mentionsRefusal(pullerPush.stderr()), pullerPush::stderr);

        docker.run("logout", host);
        assertNull(Logins.user(config, host), "logout removes the credentials");
        docker.run("image", "rm", "--force", imageId);
        CommandRunner.Result anonymousPull = docker.runAllowingFailure("pull", v1);
        assertNotEquals(0, anonymousPull.exitCode(), () -> anonymousPull.describe("pull after logout"));
        assertTrue(Logins.mentionsRefusal(anonymousPull.stderr()), anonymousPull::stderr);
        assertFalse(docker.hasImage(v1), "nothing pulled without credentials");

        // Last: wrong passwords count towards the login throttle of this address.
        CommandRunner.Result wrong = docker.login(host, "pusher", "wrong-password");
        assertNotEquals(0, wrong.exitCode(), () -> wrong.describe("login with a wrong password"));
        assertTrue(Logins.mentionsRefusal(wrong.stderr()), wrong::stderr);
        assertNull(Logins.user(config, host), "a failed login stores nothing");
    }
}
