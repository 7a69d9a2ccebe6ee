package io.stowage.storage.meta;

import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Digest locks of two replicas ({@link PostgresDigestLocks} with pools of their own) on one database. */
class PostgresDigestLocksTest {
    private static final String D1 = Digest.sha256("one".getBytes(StandardCharsets.UTF_8)).toString();
    private static final String D2 = Digest.sha256("two".getBytes(StandardCharsets.UTF_8)).toString();

    private PostgresServer.Database database;
    private PostgresDigestLocks a;
    private PostgresDigestLocks b;
    private ExecutorService threads;

    @BeforeEach
    void open() {
        database = PostgresServer.shared().createDatabase();
        PostgresSettings settings = new PostgresSettings(database.jdbcUrl(), database.user(), database.password(), 2,
                Duration.ofSeconds(5), 4);
        a = PostgresDigestLocks.open(settings);
        b = PostgresDigestLocks.open(settings);
        threads = Executors.newCachedThreadPool();
    }

    @AfterEach
    void close() {
        threads.shutdownNow();
        a.close();
        b.close();
    }

    @Test
    void keyIsTheFirstSixtyFourBitsOfTheDigest() {
        assertEquals(0x0123456789abcdefL, PostgresDigestLocks.keyOf("sha256:0123456789abcdef" + "0".repeat(48)));
        assertEquals(-1L, PostgresDigestLocks.keyOf("sha256:ffffffffffffffff" + "0".repeat(48)));
    }

    @Test
    void aDigestLockedByOneReplicaWaitsOnTheOtherUntilReleased() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = threads.submit(() -> a.withLock(D1, () -> {
            held.countDown();
            return release.await(30, TimeUnit.SECONDS);
        }));
        assertTrue(held.await(10, TimeUnit.SECONDS));
        CountDownLatch entered = new CountDownLatch(1);
        Future<?> waiter = threads.submit(() -> b.withLock(D1, () -> {
            entered.countDown();
            return null;
        }));
        assertFalse(entered.await(500, TimeUnit.MILLISECONDS), "replica b entered while replica a held the digest");
        // Another digest is not held up.
        assertEquals("free", b.withLock(D2, () -> "free"));
        release.countDown();
        holder.get(10, TimeUnit.SECONDS);
        assertTrue(entered.await(10, TimeUnit.SECONDS), "replica b never got the lock after a released it");
        waiter.get(10, TimeUnit.SECONDS);
        assertEquals(0, advisoryLocksHeld());
    }

    @Test
    void batchesInOppositeOrdersOnTwoReplicasDoNotDeadlockAndNeverOverlap() throws Exception {
        List<String> digests = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            digests.add(Digest.sha256(("batch-" + i).getBytes(StandardCharsets.UTF_8)).toString());
        }
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger fullInside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<Future<?>> tasks = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            PostgresDigestLocks locks = t % 2 == 0 ? a : b;
            List<String> order = new ArrayList<>(digests);
            if (t % 2 == 1) {
                Collections.reverse(order);
            }
            int thread = t;
            tasks.add(threads.submit(() -> {
                for (int round = 0; round < 25; round++) {
                    // Half the batches overlap the others in one digest only, half in all of them.
                    List<String> batch = round % 2 == 0 ? order : order.subList(thread % 3, thread % 3 + 4);
                    boolean full = batch.size() == digests.size();
                    locks.withLocks(batch, () -> {
                        // A batch of every digest shares one with any other batch: it must run alone.
                        int others = inside.getAndIncrement();
                        if (full ? others > 0 : fullInside.get() > 0) {
                            overlaps.incrementAndGet();
                        }
                        if (full) {
                            fullInside.incrementAndGet();
                        }
                        Thread.sleep(1);
                        if (full) {
                            fullInside.decrementAndGet();
                        }
                        inside.decrementAndGet();
                        return null;
                    });
                }
                return null;
            }));
        }
        for (Future<?> task : tasks) {
            task.get(60, TimeUnit.SECONDS);
        }
        assertEquals(0, overlaps.get(), "a batch holding every digest ran alongside another batch");
        assertEquals(0, advisoryLocksHeld());
    }

    @Test
    void workThatThrowsReleasesItsLocks() throws Exception {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> a.withLocks(List.of(D1, D2), () -> {
            throw new IllegalStateException("work failed");
        }));
        assertEquals("work failed", thrown.getMessage());
        assertEquals(0, advisoryLocksHeld());
        assertEquals("next", b.withLocks(List.of(D2, D1), () -> "next"));
    }

    @Test
    void aConnectionLostUnderTheLockFailsTheOperationAndFreesTheDigest() throws Exception {
        MetadataStoreException failed = assertThrows(MetadataStoreException.class, () -> a.withLock(D1, () -> {
            // The session that holds the lock ends, as when the database restarts or a proxy cuts it.
            try (Connection admin = database.connect(); Statement s = admin.createStatement()) {
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'");
            }
            return "done, but unprotected from some moment on";
        }));
        assertTrue(failed.getMessage().contains("broke before they were released"), failed.getMessage());
        assertEquals("taken", b.withLock(D1, () -> "taken"));
        // The broken connection was not handed out again: the pool still serves.
        assertEquals("again", a.withLock(D1, () -> "again"));
    }

    private int advisoryLocksHeld() throws Exception {
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
