package io.stowage.server.access;

import io.stowage.storage.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CredentialCacheTest {
    private final ManualClock clock = new ManualClock();

    @Test
    void anEntryLastsUntilItsExpiryAndNoLonger() {
        CredentialCache<String> cache = new CredentialCache<>(10, clock);
        cache.put(CredentialCache.key("alice", "pw"), "alice", clock.instant().plusSeconds(60));
        clock.advance(Duration.ofSeconds(59));
        assertEquals("alice", cache.get(CredentialCache.key("alice", "pw")));
        clock.advance(Duration.ofSeconds(1));
        assertNull(cache.get(CredentialCache.key("alice", "pw")));
        cache.put(CredentialCache.key("bob", "pw"), "bob", clock.instant().minus(Duration.ofSeconds(1)));
        assertNull(cache.get(CredentialCache.key("bob", "pw")), "expired before it was put");
    }

    @Test
    void beyondItsBoundTheLeastRecentlyUsedEntryGoes() {
        CredentialCache<String> cache = new CredentialCache<>(2, clock);
        Instant later = clock.instant().plusSeconds(60);
        cache.put(CredentialCache.key("a"), "a", later);
        cache.put(CredentialCache.key("b"), "b", later);
        assertEquals("a", cache.get(CredentialCache.key("a")));
        cache.put(CredentialCache.key("c"), "c", later);
        assertEquals(2, cache.size());
        assertNull(cache.get(CredentialCache.key("b")), "b was used least recently");
        assertEquals("a", cache.get(CredentialCache.key("a")));
    }

    @Test
    void keysOfDifferentlySplitPartsDiffer() {
        assertNotEquals(CredentialCache.key("ab", "c"), CredentialCache.key("a", "bc"));
        assertEquals(CredentialCache.key("a", "bc"), CredentialCache.key("a", "bc"));
    }
}
