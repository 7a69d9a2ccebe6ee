package io.stowage.gc;

import io.stowage.audit.AuditSink;
import io.stowage.storage.blob.DigestLocks;
import io.stowage.storage.blob.FilesystemBlobStore;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.GcRunRecord;
import io.stowage.storage.meta.JdbcMetadataStore;
import io.stowage.storage.meta.PostgresDigestLocks;
import io.stowage.storage.meta.PostgresServer;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.registry.RegistryService;
import io.stowage.storage.registry.UploadWriter;
import io.stowage.storage.testing.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8's data loss: replica A's collector sweeps blobs that are unreferenced and past their grace
 * period while replica B receives exactly those bytes again. Two replicas are two metadata stores on
 * one PostgreSQL database, two registry services and two blob stores on one directory (the shared
 * bucket). Every blob B acknowledges must end up both linked and stored.
 *
 * <p>Half of B's pushes start the moment A's batch has removed the rows and before it deletes the
 * bytes (A is slowed there, as on S3), the other half at random moments around the sweep. With each
 * replica holding only its own process's digest locks, B links a blob whose bytes A then deletes:
 * run with {@code -Dstowage.test.inProcessDigestLocks=true} to see this test fail that way.
 */
class PostgresReplicasBlobRaceTest {
    private static final boolean IN_PROCESS_LOCKS = Boolean.getBoolean("stowage.test.inProcessDigestLocks");
    private static final String REPOSITORY = "race/app";
    private static final int ROUNDS = 10;
    private static final int BLOBS_PER_ROUND = 6;
    private static final Duration GRACE = Duration.ofHours(1);

    @TempDir
    Path dir;

    @Test
    void everyBlobOneReplicaAcknowledgesWhileAnotherCollectsItIsLinkedAndStored() throws Exception {
        PostgresServer.Database database = PostgresServer.shared().createDatabase();
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        ExecutorService threads = Executors.newFixedThreadPool(BLOBS_PER_ROUND);
        try (Replica a = new Replica(database, dir, clock); Replica b = new Replica(database, dir, clock)) {
            AtomicReference<CountDownLatch> window = new AtomicReference<>(new CountDownLatch(1));
            GarbageCollector collector = new GarbageCollector(
                    new SlowByteDeletion(a.metadata.gcStore(), Duration.ofMillis(80), () -> window.get().countDown()),
                    a.blobs, a.locks, clock, new GcSettings(GRACE, Duration.ZERO, 100), AuditSink.NONE, "replica-a",
                    GarbageCollector.DEFAULT_LEASE);
            List<String> lost = new ArrayList<>();
            AtomicInteger acknowledged = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            long swept = 0;
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    // Bytes B stored once and that are garbage now: unlinked, and past the grace period.
                    List<byte[]> contents = new ArrayList<>();
                    for (int i = 0; i < BLOBS_PER_ROUND; i++) {
                        byte[] content = GcFixture.bytes("round-" + round + "-blob-" + i, 4_000 + i);
                        contents.add(content);
                        b.registry.deleteBlob(REPOSITORY, b.push(content));
                    }
                    clock.advance(GRACE.plusMinutes(1));
                    CountDownLatch rowsRemoved = new CountDownLatch(1);
                    window.set(rowsRemoved);

                    Future<GcRunRecord> run = collector.start(false).completion();
                    List<Future<Digest>> pushes = new ArrayList<>();
                    for (int i = 0; i < BLOBS_PER_ROUND; i++) {
                        byte[] content = contents.get(i);
                        boolean intoTheWindow = i % 2 == 0;
                        pushes.add(threads.submit(() -> {
                            if (intoTheWindow) {
                                rowsRemoved.await(10, TimeUnit.SECONDS);
                            } else {
                                Thread.sleep(ThreadLocalRandom.current().nextInt(250));
                            }
                            try {
                                return b.push(content);
                            } catch (RegistryException removedMeanwhile) {
                                refused.incrementAndGet();
                                return null;
                            }
                        }));
                    }
                    GcRunRecord record = run.get(60, TimeUnit.SECONDS);
                    assertEquals("completed", record.outcome(), record.error());
                    swept += record.sweptBlobs();
                    for (Future<Digest> push : pushes) {
                        Digest digest = push.get(60, TimeUnit.SECONDS);
                        if (digest == null) {
                            continue;
                        }
                        acknowledged.incrementAndGet();
                        boolean linked = b.metadata.findLinkedBlob(REPOSITORY, digest).isPresent();
                        boolean stored = b.blobs.size(digest).isPresent();
                        if (!linked || !stored) {
                            lost.add("round " + round + " " + digest + (linked ? " linked without bytes" : " not linked"));
                        }
                    }
                }
            } finally {
                collector.close();
            }
            System.out.printf("replica race (%s locks): %d pushes acknowledged, %d refused, %d blobs swept, %d lost%n",
                    IN_PROCESS_LOCKS ? "in-process" : "PostgreSQL", acknowledged.get(), refused.get(), swept, lost.size());
            assertEquals(List.of(), lost, "blobs acknowledged by replica b but lost to replica a's collector");
            assertTrue(acknowledged.get() > 0, "some pushes must be acknowledged to check anything");
            assertTrue(swept > 0, "the collector must have swept the garbage it raced with");
        } finally {
            threads.shutdownNow();
        }
    }

    /** One registry process: its own metadata pool, blob store object, digest locks and service. */
    private static final class Replica implements AutoCloseable {
        final JdbcMetadataStore metadata;
        final FilesystemBlobStore blobs;
        final DigestLocks locks;
        final RegistryService registry;

        Replica(PostgresServer.Database database, Path blobDir, Clock clock) throws Exception {
            metadata = JdbcMetadataStore.openPostgres(database.settings(), clock);
            blobs = new FilesystemBlobStore(blobDir, clock);
            locks = IN_PROCESS_LOCKS ? DigestLocks.inProcess() : PostgresDigestLocks.open(database.settings());
            registry = new RegistryService(blobs, metadata, locks, clock, 1024 * 1024);
        }

        Digest push(byte[] content) throws Exception {
            String id = registry.startUpload(REPOSITORY).uploadId();
            try (UploadWriter writer = registry.openUpload(REPOSITORY, id)) {
                writer.append(ByteBuffer.wrap(content));
                return writer.complete(Digest.sha256(content)).digest();
            }
        }

        @Override
        public void close() throws Exception {
            if (locks instanceof AutoCloseable pool) {
                pool.close();
            }
            metadata.close();
            blobs.close();
        }
    }
}
