package io.stowage.server.e2e;

import io.stowage.server.TestRegistry;
import io.stowage.server.access.AuthFixture;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code skopeo} against a registry with authentication, once with a password on every request
 * ({@code auth.mode: basic}) and once through the token endpoint ({@code auth.mode: token}): the
 * right user pushes and pulls, a wrong password and a user who may only pull cannot push. The
 * users and policy are {@link AuthFixture}'s.
 */
class SkopeoAuthE2ETest {
    @RegisterExtension
    static final TestRegistry basic = new TestRegistry(AuthFixture.mode("basic"));
    @RegisterExtension
    static final TestRegistry token = new TestRegistry(AuthFixture.mode("token"));

    @TempDir
    Path temp;

    private final Skopeo skopeo = new Skopeo();

    @ParameterizedTest(name = "auth.mode {0}")
    @ValueSource(strings = {"basic", "token"})
    void theRightUserPushesAndPullsAndOthersCannotPush(String mode) {
        Tools.requireOnPath("skopeo");
        TestRegistry registry = mode.equals("basic") ? basic : token;
        String image = "docker://127.0.0.1:" + registry.registry().address().getPort() + "/team/app:v1";
        OciLayoutBuilder source = new OciLayoutBuilder(temp.resolve("source"), 7);
        OciLayoutBuilder.BuiltImage built = source.addImage("v1", 2);

        CommandRunner.Result push = skopeo.tryCopy(source.reference("v1"), image, "--dest-tls-verify=false",
                "--dest-creds=pusher:" + AuthFixture.password("pusher"));
        assertEquals(0, push.exitCode(), () -> push.describe("push as pusher"));

        Path copy = temp.resolve("copy");
        CommandRunner.Result pull = skopeo.tryCopy(image, "oci:" + copy + ":v1", "--src-tls-verify=false",
                "--src-creds=puller:" + AuthFixture.password("puller"));
        assertEquals(0, pull.exitCode(), () -> pull.describe("pull as puller"));
        assertEquals(built.manifest().digest(), new OciLayoutReader(copy).digestOf("v1"), "the same image came back");

        String other = "docker://127.0.0.1:" + registry.registry().address().getPort() + "/team/app:v2";
        CommandRunner.Result pullerPush = skopeo.tryCopy(source.reference("v1"), other, "--dest-tls-verify=false",
                "--dest-creds=puller:" + AuthFixture.password("puller"));
        assertNotEquals(0, pullerPush.exitCode(), "a puller must not push:\n" + pullerPush.stderr());
        assertTrue(Logins.mentionsRefusal(pullerPush.stderr()), pullerPush.stderr());

        // Last: wrong passwords count towards the login throttle of this address.
        CommandRunner.Result wrong = skopeo.tryCopy(source.reference("v1"), other, "--dest-tls-verify=false",
                "--dest-creds=pusher:wrong-password");
        assertNotEquals(0, wrong.exitCode(), "a wrong password must not push:\n" + wrong.stderr());
        assertTrue(Logins.mentionsRefusal(wrong.stderr()), wrong.stderr());
    }
}
