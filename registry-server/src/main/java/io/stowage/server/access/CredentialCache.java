package io.stowage.server.access;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Credentials that were verified recently, so that the next request with the same ones costs a
 * hash look-up instead of a bcrypt check (a quarter second of CPU) or a signature check. Keyed by
 * the SHA-256 of the credential, so no password or token is kept; each entry expires at a time
 * its owner chooses, and beyond {@code maxEntries} the least recently used goes first. Thread-safe:
 * one lock, held for a map operation (this is read on the network thread too, never blocking
 * longer than that).
 *
 * @param <V> what a hit gives back: a user name, a verified token
 */
final class CredentialCache<V> {
    private record Entry<V>(V value, long expiresAtMillis) {
    }

    private final Clock clock;
    private final LinkedHashMap<ByteBuffer, Entry<V>> entries;

    CredentialCache(int maxEntries, Clock clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1");
        }
        this.clock = clock;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Entry<V>> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /** The value of an unexpired entry, or null. */
    synchronized V get(ByteBuffer key) {
        Entry<V> entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (clock.millis() >= entry.expiresAtMillis()) {
            entries.remove(key);
            return null;
        }
        return entry.value();
    }

    /** Remembers {@code value} until {@code expiresAt}; nothing when that is past already. */
    synchronized void put(ByteBuffer key, V value, Instant expiresAt) {
        long expires = expiresAt.toEpochMilli();
        if (expires > clock.millis()) {
            entries.put(key, new Entry<>(value, expires));
        }
    }

    synchronized int size() {
        return entries.size();
    }

    /**
     * The cache key of a credential given in parts (e.g. user and password): SHA-256 over each
     * part's length and bytes, so that ("ab", "c") and ("a", "bc") differ whatever they contain.
     */
    static ByteBuffer key(String... parts) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                sha256.update(ByteBuffer.allocate(4).putInt(0, bytes.length));
                sha256.update(bytes);
            }
            return ByteBuffer.wrap(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }
}
