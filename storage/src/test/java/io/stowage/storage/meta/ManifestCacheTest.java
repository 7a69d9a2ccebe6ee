package io.stowage.storage.meta;

import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.MediaTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The manifest cache alone, and through the SQLite store that owns one: never a stale answer. */
class ManifestCacheTest {
    @TempDir
    Path dir;

    private static StoredManifest manifest(String seed, int size) {
        byte[] content = new byte[size];
        byte[] text = seed.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(text, 0, content, 0, Math.min(size, text.length));
        return new StoredManifest(Digest.sha256(content), MediaTypes.OCI_MANIFEST, content, Instant.EPOCH);
    }

    @Test
    void keepsWhatWasReadUntilAWriteStarts() {
        ManifestCache cache = new ManifestCache(1 << 20);
        StoredManifest m = manifest("a", 100);
        cache.offerByTag(cache.readTicket(), "app", "v1", m);
        assertSame(m, cache.byTag("app", "v1"));
        assertNull(cache.byTag("app", "v2"));
        assertNull(cache.byTag("other", "v1"));
        assertNull(cache.byDigest("app", m.digest().toString()), "cached by tag only");

        cache.fenced(() -> {
            assertNull(cache.byTag("app", "v1"), "nothing is served while a write is open");
            assertEquals(-1, cache.readTicket(), "nothing may be cached while a write is open");
            return null;
        });
        assertNull(cache.byTag("app", "v1"), "a write empties the cache");
        assertEquals(0, cache.heldBytes());
    }

    @Test
    void refusesWhatWasReadBeforeAWrite() {
        ManifestCache cache = new ManifestCache(1 << 20);
        long before = cache.readTicket();
        cache.fenced(() -> null);
        cache.offerByTag(before, "app", "v1", manifest("old", 100));
        assertNull(cache.byTag("app", "v1"), "a read that may predate the write is not kept");

        long during = cache.fenced(cache::readTicket);
        cache.offerByTag(during, "app", "v1", manifest("mid", 100));
        assertNull(cache.byTag("app", "v1"));

        // A write that throws still closes its fence.
        assertThrows(IllegalStateException.class, () -> cache.fenced(() -> {
            throw new IllegalStateException("rolled back");
        }));
        long after = cache.readTicket();
        StoredManifest fresh = manifest("new", 100);
        cache.offerByDigest(after, "app", fresh.digest().toString(), fresh);
        assertSame(fresh, cache.byDigest("app", fresh.digest().toString()));
    }

    @Test
    void staysWithinItsBudget() {
        ManifestCache cache = new ManifestCache(10_000);
        for (int i = 0; i < 100; i++) {
            cache.offerByTag(cache.readTicket(), "app", "v" + i, manifest("m" + i, 1_000));
            assertTrue(cache.heldBytes() <= 10_000, "held " + cache.heldBytes());
        }
        assertEquals(10_000, cache.heldBytes(), "full, not emptied");
        cache.offerByTag(cache.readTicket(), "app", "huge", manifest("h", ManifestCache.MAX_ENTRY_BYTES + 1));
        assertNull(cache.byTag("app", "huge"));

        ManifestCache off = new ManifestCache(0);
        off.offerByTag(off.readTicket(), "app", "v1", manifest("a", 10));
        assertNull(off.byTag("app", "v1"));
        assertThrows(IllegalArgumentException.class, () -> new ManifestCache(-1));
    }

    @Test
    void theStoreForgetsATagThatMovedWasDeletedOrCameBack() {
        JdbcMetadataStore store = JdbcMetadataStore.openSqlite(dir.resolve("registry.db"), Clock.systemUTC());
        try {
            Digest blob = Digest.sha256(new byte[] {1});
            store.linkBlob("app", blob, 1);
            ManifestRecord one = image("one", blob);
            ManifestRecord two = image("two", blob);
            store.putManifest(one, List.of("v1"), "alice");
            assertTrue(store.cachedManifestByTag("app", "v1").isEmpty(), "not read yet");
            assertEquals(one.digest(), store.findManifestByTag("app", "v1").orElseThrow().digest());
            assertEquals(one.digest(), store.cachedManifestByTag("app", "v1").orElseThrow().digest());
            assertEquals(one.digest(), store.findManifest("app", one.digest()).orElseThrow().digest());
            assertTrue(store.cachedManifest("app", one.digest()).isPresent());

            // A push's frequent writes leave the cache alone.
            store.createUpload(new UploadSession("u1", "app", 0, Instant.now(), Instant.now()));
            store.touchUpload("u1", 10, Instant.now());
            store.linkBlob("app", Digest.sha256(new byte[] {2}), 1);
            assertTrue(store.cachedManifestByTag("app", "v1").isPresent());

            store.putManifest(two, List.of("v1"), "bob");
            assertTrue(store.cachedManifestByTag("app", "v1").isEmpty());
            assertEquals(two.digest(), store.findManifestByTag("app", "v1").orElseThrow().digest());

            store.deleteTag("app", "v1", "carol");
            assertTrue(store.cachedManifestByTag("app", "v1").isEmpty());
            assertTrue(store.findManifestByTag("app", "v1").isEmpty());

            store.restoreTag("app", "v1", two.digest(), "dave");
            assertEquals(two.digest(), store.findManifestByTag("app", "v1").orElseThrow().digest());
            store.deleteManifest("app", two.digest(), "erin");
            assertTrue(store.findManifest("app", two.digest()).isEmpty());
            assertTrue(store.findManifestByTag("app", "v1").isEmpty());
        } finally {
            store.close();
        }
    }

    /**
     * A tag moved again and again while readers read it: once a move has returned, no reader that
     * starts after it may see an older manifest, from the cache or otherwise.
     */
    @Test
    void noReaderSeesATagOlderThanTheLastFinishedMove() throws Exception {
        JdbcMetadataStore store = JdbcMetadataStore.openSqlite(dir.resolve("race.db"), Clock.systemUTC());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Digest blob = Digest.sha256(new byte[] {1});
            store.linkBlob("app", blob, 1);
            int moves = 300;
            ManifestRecord[] versions = new ManifestRecord[moves];
            for (int i = 0; i < moves; i++) {
                versions[i] = image("v" + i, blob);
            }
            store.putManifest(versions[0], List.of("latest"), "ci");
            AtomicInteger finished = new AtomicInteger(0);
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger reads = new AtomicInteger();
            List<Future<?>> readers = new java.util.ArrayList<>();
            for (int r = 0; r < 3; r++) {
                readers.add(pool.submit(() -> {
                    while (!done.get()) {
                        int atLeast = finished.get();
                        StoredManifest seen = store.findManifestByTag("app", "latest").orElseThrow();
                        int version = Integer.parseInt(new String(seen.content(), StandardCharsets.UTF_8)
                                .replaceAll("\\D", ""));
                        if (version < atLeast) {
                            throw new AssertionError("read version " + version + " after version " + atLeast
                                    + " was stored");
                        }
                        reads.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (int i = 1; i < moves; i++) {
                store.putManifest(versions[i], List.of("latest"), "ci");
                finished.set(i);
            }
            done.set(true);
            for (Future<?> reader : readers) {
                reader.get(60, TimeUnit.SECONDS);
            }
            assertTrue(reads.get() > moves, "readers ran alongside the moves: " + reads.get());
        } finally {
            pool.shutdownNow();
            store.close();
        }
    }

    private static ManifestRecord image(String seed, Digest blob) {
        byte[] content = ("{\"seed\":\"" + seed + "\"}").getBytes(StandardCharsets.UTF_8);
        return new ManifestRecord("app", Digest.sha256(content), MediaTypes.OCI_MANIFEST, null, null, null,
                content, List.of(blob), List.of());
    }
}
