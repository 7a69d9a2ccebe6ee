package io.stowage.server.auth;

import io.stowage.storage.testing.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class HtpasswdTest {
    private static final Duration CHECK_EVERY = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();

    /** The real bcrypt check, with a record of the hashes it was asked about. */
    private static final class CountingCheck implements BiPredicate<String, char[]> {
        final List<String> hashesChecked = new ArrayList<>();

        @Override
        public synchronized boolean test(String hash, char[] password) {
            hashesChecked.add(hash);
            return Bcrypt.matches(hash, password);
        }
    }

    private Path write(String content) throws Exception {
        Path file = dir.resolve("users.htpasswd");
        // Through a rename, as editors and registry passwd do: a new inode each time.
        AtomicFiles.replaceOwnerOnly(file, content.getBytes(StandardCharsets.UTF_8));
        return file;
    }

    @Test
    void acceptsAHashMadeByTheHtpasswdTool() throws Exception {
        assumeTrue(onPath("htpasswd"), "htpasswd (apache2-utils) is not installed: skipping the check against its hashes");
        Process process = new ProcessBuilder("htpasswd", "-niB", "-C", "5", "alice").redirectErrorStream(false).start();
        process.getOutputStream().write("s3cret pass\n".getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String line = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue());
        assertTrue(line.startsWith("alice:$2y$05$"), line);

        Htpasswd htpasswd = Htpasswd.load(write("# made by htpasswd -B\n" + line + "\n"), CHECK_EVERY, clock);
        assertTrue(htpasswd.verify("alice", "s3cret pass".toCharArray()));
        assertFalse(htpasswd.verify("alice", "s3cret pas".toCharArray()));
        assertFalse(htpasswd.verify("alice", "S3cret pass".toCharArray()));
    }

    @Test
    void checksPasswordsAgainstBouncyCastleHashes() throws Exception {
        Htpasswd htpasswd = Htpasswd.load(write("alice:" + Bcrypt.hash("alice-pw".toCharArray(), 4) + "\n"
                + "bob:" + Bcrypt.hash("bob-pw".toCharArray(), 4) + "\n"), CHECK_EVERY, clock);
        assertTrue(htpasswd.verify("alice", "alice-pw".toCharArray()));
        assertTrue(htpasswd.verify("bob", "bob-pw".toCharArray()));
        assertFalse(htpasswd.verify("alice", "bob-pw".toCharArray()), "another user's password");
        assertFalse(htpasswd.verify("carol", "alice-pw".toCharArray()), "unknown user");
        assertFalse(htpasswd.verify("alice", new char[0]));
        assertFalse(htpasswd.verify("alice", null));
        assertFalse(htpasswd.verify(null, "alice-pw".toCharArray()));
    }

    @Test
    void everyAnswerCostsExactlyOneBcryptCheckAndAnUnknownUserIsCheckedAgainstTheDummyHash() throws Exception {
        String alice = Bcrypt.hash("alice-pw".toCharArray(), 6);
        String bob = Bcrypt.hash("bob-pw".toCharArray(), 6);
        String carol = Bcrypt.hash("carol-pw".toCharArray(), 4);
        CountingCheck check = new CountingCheck();
        Htpasswd htpasswd = Htpasswd.load(write("alice:" + alice + "\nbob:" + bob + "\ncarol:" + carol + "\n"),
                CHECK_EVERY, clock, check);
        String dummy = htpasswd.dummyHash();
        assertEquals(6, Bcrypt.cost(dummy), "the dummy hash has the cost most users have");
        assertFalse(List.of(alice, bob, carol).contains(dummy));

        htpasswd.verify("alice", "alice-pw".toCharArray());
        htpasswd.verify("alice", "wrong".toCharArray());
        htpasswd.verify("mallory", "alice-pw".toCharArray());
        htpasswd.verify(null, "x".toCharArray());
        assertEquals(List.of(alice, alice, dummy, dummy), check.hashesChecked);

        // The dummy hash matches no password anybody could know, not even an empty one.
        assertFalse(htpasswd.verify("mallory", new char[0]));
    }

    @Test
    void aChangedFileIsReadAgainOnlyAfterTheCheckInterval() throws Exception {
        Path file = write("alice:" + Bcrypt.hash("old".toCharArray(), 4) + "\n");
        Htpasswd htpasswd = Htpasswd.load(file, CHECK_EVERY, clock);
        write("alice:" + Bcrypt.hash("new".toCharArray(), 4) + "\nbob:" + Bcrypt.hash("bob".toCharArray(), 4) + "\n");

        assertTrue(htpasswd.verify("alice", "old".toCharArray()), "within the interval the loaded version stays");
        clock.advance(CHECK_EVERY);
        assertTrue(htpasswd.verify("alice", "new".toCharArray()));
        assertFalse(htpasswd.verify("alice", "old".toCharArray()));
        assertTrue(htpasswd.verify("bob", "bob".toCharArray()));
    }

    @Test
    void aRemovedUserLosesAccessAtTheNextCheck() throws Exception {
        String bob = "bob:" + Bcrypt.hash("bob".toCharArray(), 4) + "\n";
        Path file = write("alice:" + Bcrypt.hash("alice".toCharArray(), 4) + "\n" + bob);
        Htpasswd htpasswd = Htpasswd.load(file, CHECK_EVERY, clock);
        assertTrue(htpasswd.verify("alice", "alice".toCharArray()));
        write(bob);
        clock.advance(CHECK_EVERY);
        assertFalse(htpasswd.verify("alice", "alice".toCharArray()));
        assertEquals(List.of("bob"), List.copyOf(htpasswd.loaded().users()));
    }

    @Test
    void aBrokenNewVersionKeepsTheLastGoodOneUntilItIsFixed() throws Exception {
        Path file = write("alice:" + Bcrypt.hash("alice".toCharArray(), 4) + "\n");
        Htpasswd htpasswd = Htpasswd.load(file, CHECK_EVERY, clock);
        write("alice:" + Bcrypt.hash("alice".toCharArray(), 4) + "\nbob:$apr1$Zl0QxK3d$z7WQ9pu8M7zyQzK8xVD2a0\n");
        clock.advance(CHECK_EVERY);

        assertTrue(htpasswd.verify("alice", "alice".toCharArray()), "the last good version stays in force");
        String problem = htpasswd.rejectedChange().orElseThrow();
        assertTrue(problem.contains("line 2: user bob has an MD5 ($apr1$) hash"), problem);
        assertTrue(problem.contains("keeping the version loaded before"), problem);

        write("carol:" + Bcrypt.hash("carol".toCharArray(), 4) + "\n");
        clock.advance(CHECK_EVERY);
        assertTrue(htpasswd.verify("carol", "carol".toCharArray()));
        assertFalse(htpasswd.verify("alice", "alice".toCharArray()));
        assertTrue(htpasswd.rejectedChange().isEmpty());
    }

    @Test
    void aDeletedFileKeepsTheLastGoodVersion() throws Exception {
        Path file = write("alice:" + Bcrypt.hash("alice".toCharArray(), 4) + "\n");
        Htpasswd htpasswd = Htpasswd.load(file, CHECK_EVERY, clock);
        Files.delete(file);
        clock.advance(CHECK_EVERY);
        assertTrue(htpasswd.verify("alice", "alice".toCharArray()));
        assertTrue(htpasswd.rejectedChange().orElseThrow().contains("cannot be read (no such file)"));
    }

    @Test
    void aBrokenFileAtStartIsRefusedWithItsLineNumber() throws Exception {
        Path file = write("# users\nalice\n");
        String message = assertThrows(AuthFileException.class, () -> Htpasswd.load(file, CHECK_EVERY, clock)).getMessage();
        assertTrue(message.contains(file + ": 1 bad line"), message);
        assertTrue(message.contains("line 2: expected user:hash"), message);

        Path missing = dir.resolve("absent.htpasswd");
        String absent = assertThrows(AuthFileException.class, () -> Htpasswd.load(missing, CHECK_EVERY, clock)).getMessage();
        assertEquals(missing + " cannot be read: no such file", absent);
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String entry : path.split(File.pathSeparator)) {
            if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, tool))) {
                return true;
            }
        }
        return false;
    }
}
