package io.stowage.server.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BcryptTest {

    @Test
    void aHashMatchesItsPasswordOnly() {
        String hash = Bcrypt.hash("correct horse".toCharArray(), 4);
        assertTrue(hash.startsWith("$2y$04$"), hash);
        assertTrue(Bcrypt.isBcrypt(hash));
        assertEquals(4, Bcrypt.cost(hash));
        assertTrue(Bcrypt.matches(hash, "correct horse".toCharArray()));
        assertFalse(Bcrypt.matches(hash, "correct horse ".toCharArray()));
        assertFalse(Bcrypt.matches(hash, new char[0]));
    }

    @Test
    void twoHashesOfOnePasswordDifferBySalt() {
        String first = Bcrypt.hash("pw".toCharArray(), 4);
        String second = Bcrypt.hash("pw".toCharArray(), 4);
        assertFalse(first.equals(second));
        assertTrue(Bcrypt.matches(second, "pw".toCharArray()));
    }

    @Test
    void theOtherBcryptPrefixesAreAccepted() {
        String y = Bcrypt.hash("pw".toCharArray(), 4);
        for (String prefix : new String[] {"$2a$", "$2b$"}) {
            String other = prefix + y.substring(4);
            assertTrue(Bcrypt.isBcrypt(other), other);
            assertTrue(Bcrypt.matches(other, "pw".toCharArray()), prefix);
        }
    }

    @Test
    void aMalformedHashNeverMatchesAndNeverThrows() {
        assertFalse(Bcrypt.matches("$2y$05$abc", "x".toCharArray()));
        assertFalse(Bcrypt.matches("", "x".toCharArray()));
        assertFalse(Bcrypt.matches("$apr1$abcdefgh$0123456789012345678901", "x".toCharArray()));
        assertFalse(Bcrypt.isBcrypt("$2y$03$" + "a".repeat(53)), "cost below 4");
        assertFalse(Bcrypt.isBcrypt("$2x$05$" + "a".repeat(53)));
        assertThrows(IllegalArgumentException.class, () -> Bcrypt.cost("plain"));
        assertThrows(IllegalArgumentException.class, () -> Bcrypt.hash("x".toCharArray(), 3));
    }

    @Test
    void onlyTheFirst72BytesCountAsInHtpasswd() {
        String long80 = "p".repeat(80);
        String hash = Bcrypt.hash(long80.toCharArray(), 4);
        assertTrue(Bcrypt.matches(hash, "p".repeat(72).toCharArray()));
        assertFalse(Bcrypt.matches(hash, "p".repeat(71).toCharArray()));
        assertEquals(80, Bcrypt.passwordBytes(long80.toCharArray()));
        assertEquals(6, Bcrypt.passwordBytes("äöü".toCharArray()));
    }

    @Test
    void otherSchemesAreNamed() {
        assertEquals("an MD5 ($apr1$) hash", Bcrypt.describeOtherScheme("$apr1$Zl0QxK3d$z7WQ9pu8M7zyQzK8xVD2a0").orElseThrow());
        assertEquals("a SHA-1 ({SHA}) hash", Bcrypt.describeOtherScheme("{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=").orElseThrow());
        assertEquals("a DES crypt hash", Bcrypt.describeOtherScheme("rOSdkmsjXl0.M").orElseThrow());
        assertEquals("a SHA-512-crypt ($6$) hash", Bcrypt.describeOtherScheme("$6$salt$abc").orElseThrow());
        assertEquals("a malformed bcrypt hash", Bcrypt.describeOtherScheme("$2y$05$short").orElseThrow());
        assertTrue(Bcrypt.describeOtherScheme(Bcrypt.hash("x".toCharArray(), 4)).isEmpty());
    }
}
