package io.stowage.server.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HtpasswdEditorTest {
    private static final String FILE = "# registry users\n\nalice:$2y$05$aaa\n# bots\nbob:$apr1$old\n";

    @Test
    void aNewUserIsAppendedAndEverythingElseKept() {
        assertEquals(FILE + "carol:$2y$12$ccc\n", HtpasswdEditor.withUser(FILE, "carol", "$2y$12$ccc"));
        assertEquals("carol:h\n", HtpasswdEditor.withUser("", "carol", "h"));
        assertEquals("alice:a\ncarol:h\n", HtpasswdEditor.withUser("alice:a", "carol", "h"), "a missing last newline is added");
    }

    @Test
    void anExistingUserIsReplacedInPlaceEvenWithAnOldHash() {
        assertEquals("# registry users\n\nalice:$2y$05$aaa\n# bots\nbob:$2y$12$new\n",
                HtpasswdEditor.withUser(FILE, "bob", "$2y$12$new"));
    }

    @Test
    void duplicatesOfTheUserAreRemovedAndCommentsNeverMatch() {
        String text = "#alice:commented\nalice:1\nbob:2\nalice:3\n";
        assertEquals("#alice:commented\nalice:new\nbob:2\n", HtpasswdEditor.withUser(text, "alice", "new"));
        assertEquals("#alice:commented\nbob:2\n", HtpasswdEditor.withoutUser(text, "alice").orElseThrow());
    }

    @Test
    void namesMatchExactlyNotByPrefix() {
        String text = "alice:1\nalice2:2\n";
        assertEquals("alice2:2\n", HtpasswdEditor.withoutUser(text, "alice").orElseThrow());
        assertTrue(HtpasswdEditor.withoutUser(text, "alic").isEmpty());
        assertFalse(HtpasswdEditor.hasUser(text, "ALICE"));
        assertTrue(HtpasswdEditor.hasUser(text, "alice2"));
    }

    @Test
    void windowsLineEndsBecomeUnixOnes() {
        assertEquals("alice:1\nbob:new\n", HtpasswdEditor.withUser("alice:1\r\nbob:2\r\n", "bob", "new"));
    }
}
