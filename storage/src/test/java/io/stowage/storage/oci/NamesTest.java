package io.stowage.storage.oci;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NamesTest {
    @Test
    void repositoryNamesFollowTheSpecGrammar() {
        for (String ok : new String[]{"app", "team/app/api", "a.b_c__d-e--f", "x0/y1"}) {
            assertTrue(RepositoryName.isValid(ok), ok);
        }
        for (String bad : new String[]{"", "App", "a/", "/a", "a//b", "a..b", "-a", "a-", "a b", "a/_b", "x".repeat(256)}) {
            assertFalse(RepositoryName.isValid(bad), bad);
        }
    }

    @Test
    void tagsFollowTheSpecGrammar() {
        assertTrue(Tag.isValid("v1.2.3-rc_1"));
        assertTrue(Tag.isValid("_x"));
        assertTrue(Tag.isValid("a".repeat(128)));
        assertFalse(Tag.isValid("a".repeat(129)));
        assertFalse(Tag.isValid(".x"));
        assertFalse(Tag.isValid("-x"));
        assertFalse(Tag.isValid("a:b"));
    }
}
