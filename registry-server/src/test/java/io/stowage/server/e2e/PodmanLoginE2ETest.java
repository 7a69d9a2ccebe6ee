package io.stowage.server.e2e;

import io.stowage.server.TestRegistry;
import io.stowage.server.access.AuthFixture;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code podman login}, {@code push}, {@code pull} and {@code logout} against a registry with
 * authentication, once with a password on every request ({@code auth.mode: basic}) and once through
 * the token endpoint ({@code auth.mode: token}), as issue 6 asks: the client works unchanged. A user
 * with pull and push pushes and pulls back the same image, a pull-only user pulls but cannot push,
 * after logout a pull of a repository anonymous users may not read fails, and a wrong password makes
 * the login fail. Credentials live only in an auth file in the test's temporary directory
 * ({@code REGISTRY_AUTH_FILE}), the image store is podman's private one ({@link Podman}), and the
 * image comes from an OCI layout built in the test. The users and policy are {@link AuthFixture}'s.
 */
class PodmanLoginE2ETest {
    @RegisterExtension
    static final TestRegistry basic = new TestRegistry(AuthFixture.mode("basic"));
    @RegisterExtension
    static final TestRegistry token = new TestRegistry(AuthFixture.mode("token"));

    @TempDir
    Path temp;

    @ParameterizedTest(name = "auth.mode {0}")
    @ValueSource(strings = {"basic", "token"})
    void loginPushPullLogoutWorkUnchanged(String mode) throws Exception {
        Tools.requireOnPath("podman");
        String host = "127.0.0.1:" + (mode.equals("basic") ? basic : token).registry().address().getPort();
        String v1 = host + "/team/app:v1";
        Path authFile = temp.resolve("auth.json");
        Podman podman = new Podman(temp.resolve("podman"), authFile);
        OciLayoutBuilder layout = new OciLayoutBuilder(temp.resolve("layout"), 41);
        OciLayoutBuilder.BuiltImage image = layout.addImage("v1", 2);
        String imageId = Digests.hex(image.config().digest());
        podman.run("pull", "--quiet", layout.reference("v1"));

        CommandRunner.Result pusherLogin = podman.login(host, "pusher", AuthFixture.password("pusher"));
        assertEquals(0, pusherLogin.exitCode(), () -> pusherLogin.describe("login as pusher"));
        assertTrue(pusherLogin.stdout().contains("Login Succeeded"), pusherLogin::stdout);
        assertEquals("pusher", Logins.user(authFile, host), "credentials in the test's own auth file");

        Path digestFile = temp.resolve("pushed.digest");
        podman.run("push", "--quiet", "--tls-verify=false", "--digestfile", digestFile.toString(), imageId,
                "docker://" + v1);
        String pushed = Files.readString(digestFile).trim();
        podman.run("rmi", "--force", imageId);
        podman.run("pull", "--quiet", "--tls-verify=false", v1);
        assertEquals(imageId, podman.inspect(v1, "{{.Id}}"), "image ID (config digest) after the pull");
        assertEquals(pushed, podman.inspect(v1, "{{.Digest}}"), "manifest digest after the pull");

        CommandRunner.Result pullerLogin = podman.login(host, "puller", AuthFixture.password("puller"));
        assertEquals(0, pullerLogin.exitCode(), () -> pullerLogin.describe("login as puller"));
        assertEquals("puller", Logins.user(authFile, host), "the new login replaces the old one");
        podman.run("rmi", "--force", imageId);
        podman.run("pull", "--quiet", "--tls-verify=false", v1);
        CommandRunner.Result pullerPush = podman.runAllowingFailure("push", "--tls-verify=false", imageId,
                "docker://" + host + "/team/app:v2");
        assertNotEquals(0, pullerPush.exitCode(), () -> pullerPush.describe("push by a pull-only user"));
        assertTrue(Logins.mentionsRefusal(pullerPush.stderr()), pullerPush::stderr);

        podman.run("logout", host);
        assertNull(Logins.user(authFile, host), "logout removes the credentials");
        podman.run("rmi", "--force", imageId);
        // In basic mode podman (containers/image) without credentials answers the Basic challenge
        // with an empty user name and password, which the registry counts as a failed login.
        CommandRunner.Result anonymousPull = podman.runAllowingFailure("pull", "--tls-verify=false", v1);
        assertNotEquals(0, anonymousPull.exitCode(), () -> anonymousPull.describe("pull after logout"));
        assertTrue(Logins.mentionsRefusal(anonymousPull.stderr()), anonymousPull::stderr);

        // Last: wrong passwords count towards the login throttle of this address.
        CommandRunner.Result wrong = podman.login(host, "pusher", "wrong-password");
        assertNotEquals(0, wrong.exitCode(), () -> wrong.describe("login with a wrong password"));
        assertTrue(wrong.stderr().contains("invalid username/password"), wrong::stderr);
        assertNull(Logins.user(authFile, host), "a failed login stores nothing");
    }
}
