package io.stowage.storage.meta;

import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.stowage.storage.meta.MetadataStoreContractTest.digest;
import static io.stowage.storage.meta.MetadataStoreContractTest.image;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Several replicas on one PostgreSQL database, each a {@link JdbcMetadataStore} with its own pool,
 * written from many threads at once: what the single-writer SQLite store never had to face.
 */
class PostgresReplicasTest {
    private static final Duration WAIT = Duration.ofSeconds(120);

    private PostgresServer.Database database;
    private JdbcMetadataStore a;
    private JdbcMetadataStore b;
    private JdbcMetadataStore c;
    private ExecutorService threads;

    @BeforeEach
    void openReplicas() {
        database = PostgresServer.shared().createDatabase();
        a = JdbcMetadataStore.openPostgres(database.settings(), Clock.systemUTC());
        b = JdbcMetadataStore.openPostgres(database.settings(), Clock.systemUTC());
        c = JdbcMetadataStore.openPostgres(database.settings(), Clock.systemUTC());
        threads = Executors.newFixedThreadPool(12);
    }

    @AfterEach
    void closeReplicas() throws InterruptedException {
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(30, TimeUnit.SECONDS));
        for (JdbcMetadataStore store : new JdbcMetadataStore[] {a, b, c}) {
            if (store != null) {
                store.close();
            }
        }
    }

    @Test
    void pushesOfOneTagFromTwoReplicasLeaveAJournalThatChainsAndEndsAtTheLiveTag() throws Exception {
        Digest layer = digest("layer");
        a.linkBlob("app", layer, 10);
        Map<Long, TagEvent> heard = new ConcurrentHashMap<>();
        List<TagEvent> heardTwice = Collections.synchronizedList(new ArrayList<>());
        for (JdbcMetadataStore store : List.of(a, b)) {
            store.setTagEventListener(events -> events.forEach(e -> {
                if (heard.putIfAbsent(e.id(), e) != null) {
                    heardTwice.add(e);
                }
            }));
        }
        int writers = 8;
        int pushesEach = 12;
        List<Callable<Void>> work = new ArrayList<>();
        CyclicBarrier start = new CyclicBarrier(writers);
        for (int w = 0; w < writers; w++) {
            JdbcMetadataStore store = w % 2 == 0 ? a : b;
            int writer = w;
            work.add(() -> {
                start.await();
                for (int i = 0; i < pushesEach; i++) {
                    // Three different manifests per writer, so some pushes move the tag and some find it already there.
                    store.putManifest(image("app", "w" + writer + "-" + (i % 3), List.of(layer), null), List.of("latest"),
                            "writer-" + writer);
                }
                return null;
            });
        }
        runAll(work);

        List<TagEvent> journal = new ArrayList<>(a.tagHistory("app", "latest"));
        Collections.reverse(journal);
        assertFalse(journal.isEmpty());
        assertEquals(TagEvent.Type.PUSHED, journal.get(0).type());
        assertNull(journal.get(0).previousDigest());
        for (int i = 1; i < journal.size(); i++) {
            TagEvent event = journal.get(i);
            assertEquals(TagEvent.Type.MOVED, event.type(), "event " + i);
            assertEquals(journal.get(i - 1).digest(), event.previousDigest(), "event " + i + " chains to the one before it");
            assertFalse(event.digest().equals(event.previousDigest()), "a move to the digest already tagged is no event");
        }
        Digest live = b.findManifestByTag("app", "latest").orElseThrow().digest();
        assertEquals(journal.get(journal.size() - 1).digest(), live, "the live tag is the last event's digest");
        assertEquals(List.of(), heardTwice, "retried transactions told the listener nothing twice");
        assertEquals(journal.stream().map(TagEvent::id).toList(), heard.keySet().stream().sorted().toList(),
                "every committed event was heard, and nothing that was rolled back");
    }

    @Test
    void aSweepRacingAPushOnAnotherReplicaNeverRemovesABlobThePushReferences() throws Exception {
        GcStore gc = a.gcStore();
        Instant everyHoldExpired = Instant.now().plus(Duration.ofDays(1));
        int rounds = 60;
        int pushedFirst = 0;
        int sweptFirst = 0;
        for (int round = 0; round < rounds; round++) {
            Digest blob = digest("racing-" + round);
            b.linkBlob("app", blob, 7);
            CyclicBarrier start = new CyclicBarrier(2);
            Future<Map<String, Long>> sweep = threads.submit(() -> {
                start.await();
                return gc.removeBlobsIfCollectable(List.of(blob.toString()), everyHoldExpired);
            });
            int r = round;
            Future<Boolean> push = threads.submit(() -> {
                start.await();
                try {
                    b.putManifest(image("app", "racing-" + r, List.of(blob), null), List.of("t" + r), "pusher");
                    return true;
                } catch (RegistryException e) {
                    assertEquals(ErrorCode.MANIFEST_BLOB_UNKNOWN, e.code());
                    return false;
                }
            });
            boolean pushed = push.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            boolean swept = sweep.get(WAIT.toSeconds(), TimeUnit.SECONDS).containsKey(blob.toString());
            if (pushed && swept) {
                fail("round " + round + ": the push was acknowledged and its blob removed");
            }
            assertTrue(pushed || swept, "round " + round + ": one of them must win");
            if (pushed) {
                pushedFirst++;
                assertTrue(gc.blobKnown(blob.toString()));
            } else {
                sweptFirst++;
                assertFalse(gc.blobKnown(blob.toString()));
            }
        }
        // Both orders happened, or the race was not raced.
        assertTrue(pushedFirst > 0 && sweptFirst > 0, "pushed first " + pushedFirst + ", swept first " + sweptFirst);
    }

    @Test
    void aTagDeletedOnOneReplicaIsUndeletedOnAnother() {
        Digest layer = digest("layer");
        a.linkBlob("app", layer, 10);
        ManifestRecord manifest = image("app", "v1", List.of(layer), null);
        a.putManifest(manifest, List.of("v1"), "alice");
        assertTrue(a.deleteTag("app", "v1", "alice"));

        assertTrue(b.findManifestByTag("app", "v1").isEmpty(), "no replica serves a deleted tag");
        assertEquals(List.of("v1"), b.deletedTags("app").stream().map(TagEvent::tag).toList());
        b.restoreTag("app", "v1", manifest.digest(), "bob");

        assertEquals(manifest.digest(), a.findManifestByTag("app", "v1").orElseThrow().digest());
        assertEquals(List.of(TagEvent.Type.RESTORED, TagEvent.Type.DELETED, TagEvent.Type.PUSHED),
                a.tagHistory("app", "v1").stream().map(TagEvent::type).toList());
        assertEquals(List.of(), a.deletedTags("app"));
    }

    @Test
    void anUploadStartedOnOneReplicaContinuesAndCompletesOnAnother() {
        Instant started = Instant.ofEpochMilli(1_700_000_000_000L);
        a.createUpload(new UploadSession("upload-1", "app", 0, started, started));

        UploadSession onB = b.findUpload("upload-1").orElseThrow();
        assertEquals("app", onB.repository());
        b.touchUpload("upload-1", 4096, started.plusSeconds(5));
        assertEquals(4096, c.findUpload("upload-1").orElseThrow().size());
        a.touchUpload("upload-1", 8192, started.plusSeconds(9));
        Digest blob = digest("uploaded");
        b.completeUpload("upload-1", blob, 8192);

        assertTrue(a.findUpload("upload-1").isEmpty());
        assertEquals(8192L, c.findLinkedBlob("app", blob).orElseThrow());
    }

    @Test
    void theCollectionLeaseGoesToExactlyOneReplicaAtATime() throws Exception {
        List<GcStore> replicas = List.of(a.gcStore(), b.gcStore(), c.gcStore());
        Instant now = Instant.now();
        for (int round = 0; round < 10; round++) {
            int contenders = 9;
            CyclicBarrier start = new CyclicBarrier(contenders);
            List<Callable<Boolean>> asks = new ArrayList<>();
            for (int i = 0; i < contenders; i++) {
                GcStore gc = replicas.get(i % replicas.size());
                String holder = "replica-" + i;
                String run = "run-" + round + "-" + i;
                asks.add(() -> {
                    start.await();
                    return gc.acquireLease(holder, run, now, now.plusSeconds(60));
                });
            }
            List<Boolean> granted = runAll(asks);
            assertEquals(1, granted.stream().filter(Boolean::booleanValue).count(), "round " + round + ": " + granted);
            int winner = granted.indexOf(true);
            GcLease lease = replicas.get(0).lease().orElseThrow();
            assertEquals("replica-" + winner, lease.holder());
            assertFalse(replicas.get(1).renewLease("replica-" + (winner + 1), "run-" + round + "-" + (winner + 1),
                    now.plusSeconds(120)), "a loser cannot renew what it never got");
            replicas.get(2).releaseLease(lease.holder(), lease.runId());
            assertTrue(replicas.get(0).lease().isEmpty());
        }
    }

    @Test
    void noChangeCommitsBelowAPositionABackupHasAlreadyRead() throws Exception {
        Digest layer = digest("layer");
        a.linkBlob("app", layer, 10);
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Callable<Void>> work = new ArrayList<>();
        int writers = 8;
        for (int w = 0; w < writers; w++) {
            JdbcMetadataStore store = w % 2 == 0 ? a : b;
            String tag = "t" + w;
            int writer = w;
            work.add(() -> {
                for (int i = 0; writing.get() && i < 400; i++) {
                    ManifestRecord manifest = image("app", "w" + writer + "-" + i, List.of(layer), null);
                    store.putManifest(manifest, List.of(tag), "writer");
                    if (i % 2 == 1) {
                        // Journal events that change no manifest row, so no trigger moves the counter.
                        store.deleteTag("app", tag, "writer");
                        store.putManifest(manifest, List.of(tag), "writer");
                    }
                    if (i % 3 == 2) {
                        store.deleteManifest("app", manifest.digest(), "writer");
                    }
                }
                return null;
            });
        }
        List<Snapshot> seen = new ArrayList<>();
        work.add(() -> {
            for (int i = 0; i < 150; i++) {
                seen.add(readSnapshot());
            }
            writing.set(false);
            return null;
        });
        runAll(work);

        Snapshot last = readSnapshot();
        for (Snapshot earlier : seen) {
            for (Map.Entry<Long, Long> event : last.journal.entrySet()) {
                if (event.getKey() <= earlier.journalSeq) {
                    assertTrue(earlier.journal.containsKey(event.getKey()),
                            "journal event " + event.getKey() + " committed after position " + earlier.journalSeq + " was read");
                }
            }
            for (Map.Entry<String, Long> manifest : last.changeSeqs.entrySet()) {
                if (manifest.getValue() <= earlier.changeSeq) {
                    assertEquals(manifest.getValue(), earlier.changeSeqs.get(manifest.getKey()),
                            "manifest change " + manifest.getValue() + " committed after position " + earlier.changeSeq + " was read");
                }
            }
        }
        assertTrue(last.journal.size() > 100, "enough happened to race: " + last.journal.size() + " events");
    }

    /** What a backup reads, in one snapshot: the position, every manifest's change and every journal id. */
    private record Snapshot(long changeSeq, long journalSeq, Map<String, Long> changeSeqs, Map<Long, Long> journal) {
    }

    private Snapshot readSnapshot() throws SQLException {
        BackupSnapshot backup = c.backupSnapshot(-1);
        Map<String, Long> changeSeqs = new HashMap<>();
        backup.manifests().forEach(m -> changeSeqs.put(m.repository() + "@" + m.digest(), m.changeSeq()));
        // The journal ids of the same moment, read directly: the store has no snapshot read of both.
        try (Connection connection = database.connect()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            long journalSeq;
            Map<Long, Long> journal = new HashMap<>();
            try (PreparedStatement s = connection.prepareStatement("SELECT COALESCE(MAX(id), 0) FROM tag_events");
                 ResultSet rows = s.executeQuery()) {
                rows.next();
                journalSeq = rows.getLong(1);
            }
            try (PreparedStatement s = connection.prepareStatement("SELECT id, at FROM tag_events");
                 ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    journal.put(rows.getLong(1), rows.getLong(2));
                }
            }
            connection.rollback();
            return new Snapshot(backup.position().changeSeq(), journalSeq, changeSeqs, journal);
        }
    }

    private <T> List<T> runAll(List<? extends Callable<T>> work) throws Exception {
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> task : work) {
            futures.add(threads.submit(task));
        }
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            results.add(future.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        return results;
    }
}
