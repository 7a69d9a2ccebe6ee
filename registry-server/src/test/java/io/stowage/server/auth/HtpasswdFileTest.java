package io.stowage.server.auth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HtpasswdFileTest {
    private static final String ALICE = Bcrypt.hash("alice-pw".toCharArray(), 5);
    private static final String BOB = Bcrypt.hash("bob-pw".toCharArray(), 4);

    private static HtpasswdFile parse(String text) throws AuthFileException {
        return HtpasswdFile.parse("users.htpasswd", text.getBytes(StandardCharsets.UTF_8));
    }

    private static String refusal(String text) {
        return assertThrows(AuthFileException.class, () -> parse(text)).getMessage();
    }

    @Test
    void readsUsersAndIgnoresCommentsBlankLinesAndLineEnds() throws Exception {
        HtpasswdFile file = parse("# team registry users\n\n  \nalice:" + ALICE + "\r\n   # indented comment\nbob:" + BOB + "  \n");
        assertEquals(List.of("alice", "bob"), List.copyOf(file.users()));
        assertEquals(ALICE, file.hashOf("alice").orElseThrow());
        assertEquals(BOB, file.hashOf("bob").orElseThrow());
        assertTrue(file.hashOf("carol").isEmpty());
        assertTrue(file.hashOf("Alice").isEmpty(), "names are case-sensitive");
    }

    @Test
    void anEmptyFileHasNoUsers() throws Exception {
        assertTrue(parse("").users().isEmpty());
        assertTrue(parse("# nobody yet\n").users().isEmpty());
        assertEquals(HtpasswdFile.DEFAULT_COST, parse("").typicalCost());
    }

    @Test
    void nonBcryptHashesAreRefusedNamingLineUserAndSchemeButNotTheHash() {
        String apr1 = "$apr1$Zl0QxK3d$z7WQ9pu8M7zyQzK8xVD2a0";
        String sha = "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=";
        String des = "rOSdkmsjXl0.M";
        String message = refusal("alice:" + ALICE + "\nmd5user:" + apr1 + "\nshauser:" + sha + "\n# c\ndesuser:" + des + "\n");
        assertTrue(message.contains("3 bad lines"), message);
        assertTrue(message.contains("line 2: user md5user has an MD5 ($apr1$) hash; only bcrypt is accepted"), message);
        assertTrue(message.contains("registry passwd --file users.htpasswd md5user"), message);
        assertTrue(message.contains("line 3: user shauser has a SHA-1 ({SHA}) hash"), message);
        assertTrue(message.contains("line 5: user desuser has a DES crypt hash"), message);
        for (String secret : List.of(apr1, sha, des, ALICE, "Zl0QxK3d", "W6ph5Mm5")) {
            assertFalse(message.contains(secret), "the message shows a hash: " + message);
        }
    }

    @Test
    void malformedLinesAreRefusedNamingTheirLineNumbers() {
        assertTrue(refusal("alice:" + ALICE + "\nno-colon-here\n").contains("line 2: expected user:hash, found no ':'"));
        assertTrue(refusal(":" + ALICE + "\n").contains("line 1: the user name is empty"));
        assertTrue(refusal("al ice:" + ALICE + "\n").contains("line 1: the user name contains whitespace"));
        assertTrue(refusal("al\u0007ice:" + ALICE + "\n").contains("line 1: the user name contains a control character"));
        assertTrue(refusal("alice:\n").contains("line 1: user alice has an empty hash"));
        assertTrue(refusal("alice:" + ALICE + "x\n").contains("line 1: user alice has a malformed bcrypt hash"));
    }

    @Test
    void aUserGivenTwiceIsRefused() {
        String message = refusal("alice:" + ALICE + "\nbob:" + BOB + "\nalice:" + BOB + "\n");
        assertTrue(message.contains("line 3: user alice appears again (first on line 1)"), message);
    }

    @Test
    void manyProblemsAreCountedBeyondTheFirstTwenty() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            text.append("broken").append(i).append('\n');
        }
        String message = refusal(text.toString());
        assertTrue(message.contains("25 bad lines"), message);
        assertTrue(message.contains("line 20:"), message);
        assertFalse(message.contains("line 21:"), message);
        assertTrue(message.contains("... and 5 more"), message);
    }

    @Test
    void aFileThatIsNotUtf8IsRefused() {
        byte[] latin1 = "jos\u00e9:x\n".getBytes(StandardCharsets.ISO_8859_1);
        String message = assertThrows(AuthFileException.class, () -> HtpasswdFile.parse("users.htpasswd", latin1)).getMessage();
        assertEquals("users.htpasswd: not a text file in UTF-8", message);
    }

    @Test
    void typicalCostIsTheMostCommonOne() throws Exception {
        String five = Bcrypt.hash("x".toCharArray(), 5);
        assertEquals(5, parse("a:" + BOB + "\nb:" + five + "\nc:" + ALICE + "\n").typicalCost());
        assertEquals(5, parse("a:" + BOB + "\nb:" + ALICE + "\n").typicalCost(), "a tie takes the higher cost");
    }
}
