package io.stowage.server.cli;

import io.stowage.server.TestRegistry;
import io.stowage.server.access.AuthFixture;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code registry gc --user} signs in to a registry with a password on every call, or through the token endpoint. */
class GcCommandAuthTest {
    @RegisterExtension
    static final TestRegistry basic = new TestRegistry(AuthFixture.mode("basic"));
    @RegisterExtension
    static final TestRegistry token = new TestRegistry(AuthFixture.mode("token"));

    @TempDir
    Path dir;

    private int gc(TestRegistry registry, StringWriter out, StringWriter err, String... args) {
        CommandLine cli = new CommandLine(new RegistryCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--server";
        full[args.length + 1] = registry.uri("").toString();
        return cli.execute(full);
    }

    @ParameterizedTest(name = "auth.mode {0}")
    @ValueSource(strings = {"basic", "token"})
    void anAdminPausesAndResumesAndOthersAreRefused(String mode) throws Exception {
        TestRegistry registry = mode.equals("basic") ? basic : token;
        Path adminPassword = Files.writeString(dir.resolve("admin.pw"), AuthFixture.password("admin") + "\n");
        Path auditorPassword = Files.writeString(dir.resolve("auditor.pw"), AuthFixture.password("auditor"));

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, gc(registry, out, err, "gc", "pause", "--user", "admin", "--password-file", adminPassword.toString()),
                err.toString());
        assertTrue(out.toString().contains("\"pausedBy\":\"admin\""), out.toString());
        assertEquals(0, gc(registry, new StringWriter(), err, "gc", "resume", "--user", "admin",
                "--password-file", adminPassword.toString()), err.toString());

        StringWriter refused = new StringWriter();
        assertEquals(1, gc(registry, new StringWriter(), refused, "gc", "pause", "--user", "auditor",
                "--password-file", auditorPassword.toString()));
        assertTrue(refused.toString().contains("DENIED"), refused.toString());
        StringWriter status = new StringWriter();
        assertEquals(0, gc(registry, status, new StringWriter(), "gc", "status", "--user", "auditor",
                "--password-file", auditorPassword.toString()));

        StringWriter anonymous = new StringWriter();
        assertEquals(1, gc(registry, new StringWriter(), anonymous, "gc", "status"));
        assertTrue(anonymous.toString().contains("UNAUTHORIZED"), anonymous.toString());
    }
}
