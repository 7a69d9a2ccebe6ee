package io.stowage.server.cli;

import io.stowage.server.auth.Bcrypt;
import io.stowage.server.auth.Htpasswd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code registry passwd}, run as an operator would, with the password piped to standard input. */
class PasswdCommandTest {
    @TempDir
    Path dir;

    private InputStream originalIn;
    private Path file;

    private record Result(int exit, String out, String err) {
    }

    @BeforeEach
    void keepStdin() {
        originalIn = System.in;
        file = dir.resolve("users.htpasswd");
    }

    @AfterEach
    void restoreStdin() {
        System.setIn(originalIn);
    }

    private Result registry(String stdin, String... args) {
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new RegistryCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Result(exit, out.toString().trim(), err.toString().trim());
    }

    private boolean verifies(String user, String password) throws Exception {
        return Htpasswd.load(file, Duration.ZERO, Clock.systemUTC()).verify(user, password.toCharArray());
    }

    @Test
    void addsAUserToANewFileWithMode0600() throws Exception {
        Result result = registry("s3cret pass\n", "passwd", "--file", file.toString(), "--cost", "4", "alice");
        assertEquals(0, result.exit(), result.err());
        assertEquals("added user alice in " + file, result.out());
        assertTrue(verifies("alice", "s3cret pass"));
        assertFalse(verifies("alice", "s3cret pass\n"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String line = Files.readString(file);
        assertTrue(line.startsWith("alice:$2y$04$") && line.endsWith("\n"), line);
    }

    @Test
    void theApacheHtpasswdToolAcceptsTheHashesWeWrite() throws Exception {
        assumeTrue(onPath("htpasswd"), "htpasswd (apache2-utils) is not installed: skipping the cross-check with it");
        assertEquals(0, registry("s3cret pass\n", "passwd", "--file", file.toString(), "--cost", "5", "alice").exit());
        assertEquals(0, htpasswdVerify("alice", "s3cret pass"));
        assertEquals(3, htpasswdVerify("alice", "s3cret pas"), "htpasswd -v exits 3 on a wrong password");
    }

    /** {@code htpasswd -v}, the password on its standard input: its exit code. */
    private int htpasswdVerify(String user, String password) throws Exception {
        Process process = new ProcessBuilder("htpasswd", "-vi", file.toString(), user)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        process.getOutputStream().write((password + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return process.exitValue();
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String entry : path.split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, tool))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theDefaultCostIs12() throws Exception {
        assertEquals(0, registry("pw\n", "passwd", "--file", file.toString(), "alice").exit());
        assertEquals(12, Bcrypt.cost(Files.readString(file).strip().substring("alice:".length())));
    }

    @Test
    void changesAPasswordKeepingTheRestOfTheFile() throws Exception {
        Files.writeString(file, "# team\nalice:" + Bcrypt.hash("old".toCharArray(), 4) + "\nbob:$apr1$legacy$hash\n");
        Result alice = registry("new\r\n", "passwd", "--file", file.toString(), "--cost", "4", "alice");
        assertEquals(0, alice.exit(), alice.err());
        assertEquals("changed the password of user alice in " + file, alice.out());

        // bob's old MD5 line would stop the file from loading: passwd replaces it.
        Result bob = registry("bob-pw", "passwd", "--file", file.toString(), "--cost", "4", "bob");
        assertEquals(0, bob.exit(), bob.err());
        List<String> lines = Files.readAllLines(file);
        assertEquals("# team", lines.get(0));
        assertEquals(3, lines.size());
        assertTrue(verifies("alice", "new"));
        assertFalse(verifies("alice", "old"));
        assertTrue(verifies("bob", "bob-pw"), "a password without a final newline is read whole");
    }

    @Test
    void onlyTheFirstLineOfStandardInputIsThePassword() throws Exception {
        assertEquals(0, registry("first\nsecond\n", "passwd", "--file", file.toString(), "--cost", "4", "alice").exit());
        assertTrue(verifies("alice", "first"));
    }

    @Test
    void deletesAUser() throws Exception {
        Files.writeString(file, "alice:" + Bcrypt.hash("a".toCharArray(), 4) + "\nbob:" + Bcrypt.hash("b".toCharArray(), 4) + "\n");
        Result result = registry("", "passwd", "--file", file.toString(), "--delete", "alice");
        assertEquals(0, result.exit(), result.err());
        assertEquals("deleted user alice from " + file, result.out());
        assertFalse(verifies("alice", "a"));
        assertTrue(verifies("bob", "b"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        Result again = registry("", "passwd", "--file", file.toString(), "--delete", "alice");
        assertEquals(2, again.exit());
        assertEquals("registry passwd: no user alice in " + file, again.err());
        Result noFile = registry("", "passwd", "--file", dir.resolve("none").toString(), "--delete", "alice");
        assertEquals(2, noFile.exit());
        assertTrue(noFile.err().contains("does not exist"), noFile.err());
    }

    @Test
    void badUserNamesAreRefusedWithExitCode2AndNoFile() {
        for (String name : List.of("al:ice", "al ice", "al\tice", "al\u0001ice", "")) {
            Result result = registry("pw\n", "passwd", "--file", file.toString(), "--cost", "4", name);
            assertEquals(2, result.exit(), name);
            assertTrue(result.err().startsWith("registry passwd: the user name "), result.err());
        }
        assertFalse(Files.exists(file));
    }

    @Test
    void badPasswordsAreRefusedWithExitCode2() throws Exception {
        Result empty = registry("\n", "passwd", "--file", file.toString(), "--cost", "4", "alice");
        assertEquals(2, empty.exit());
        assertEquals("registry passwd: the password is empty", empty.err());
        assertEquals(2, registry("", "passwd", "--file", file.toString(), "--cost", "4", "alice").exit(), "no input at all");

        Result tooLong = registry("x".repeat(73) + "\n", "passwd", "--file", file.toString(), "--cost", "4", "alice");
        assertEquals(2, tooLong.exit());
        assertTrue(tooLong.err().contains("longer than 72 bytes"), tooLong.err());

        System.setIn(new ByteArrayInputStream(new byte[] {(byte) 0xff, (byte) 0xfe, '\n'}));
        Result notUtf8 = registryWithCurrentStdin("passwd", "--file", file.toString(), "--cost", "4", "alice");
        assertEquals(2, notUtf8.exit());
        assertEquals("registry passwd: the password on standard input is not UTF-8", notUtf8.err());
        assertFalse(Files.exists(file));
    }

    @Test
    void usageErrorsExitWith2() {
        Result cost = registry("pw\n", "passwd", "--file", file.toString(), "--cost", "3", "alice");
        assertEquals(2, cost.exit());
        assertEquals("registry passwd: --cost must be between 4 and 18, not 3", cost.err());
        assertEquals(2, registry("pw\n", "passwd", "--file", file.toString(), "--cost", "19", "alice").exit());
        assertEquals(2, registry("pw\n", "passwd", "--file", file.toString()).exit(), "no user");
        assertEquals(2, registry("pw\n", "passwd", "alice").exit(), "no --file");
        assertEquals(2, registry("pw\n", "passwd", "--file", file.toString(), "--cost", "twelve", "alice").exit());
        assertFalse(Files.exists(file));
    }

    @Test
    void aFileThatCannotBeWrittenExitsWith1() throws Exception {
        // A regular file where the directory should be: fails for root too, unlike permissions.
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        Result result = registry("pw\n", "passwd", "--file", notADirectory.resolve("users").toString(), "--cost", "4", "alice");
        assertEquals(1, result.exit(), result.err());
        assertTrue(result.err().startsWith("registry passwd: cannot "), result.err());
    }

    private Result registryWithCurrentStdin(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new RegistryCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Result(exit, out.toString().trim(), err.toString().trim());
    }
}
