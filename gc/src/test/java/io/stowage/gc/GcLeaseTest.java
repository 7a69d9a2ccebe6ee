package io.stowage.gc;

import io.stowage.audit.AuditSink;
import io.stowage.storage.blob.DigestLocks;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.GcStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One collection at a time across replicas sharing a database: the lease row. Two collectors over one
 * store stand for two replicas; the clock the fixture moves stands for time passing.
 */
class GcLeaseTest {
    private static final GcSettings SETTINGS = new GcSettings(Duration.ZERO, Duration.ZERO, 50);

    @TempDir
    Path dir;

    /** A fixture over the data of {@link #dir}; subclasses choose another metadata database. */
    protected GcFixture fixture(GcSettings settings) throws Exception {
        return new GcFixture(dir, settings);
    }

    @Test
    void aReplicaHoldingTheLeaseKeepsOthersOutUntilItExpiresOrIsGivenBack() throws Exception {
        try (GcFixture f = fixture(SETTINGS)) {
            GcStore store = f.metadata.gcStore();
            Instant now = f.clock.instant();
            // Replica b is in the middle of a collection.
            assertTrue(store.acquireLease("replica-b", "gc-b", now, now.plus(GarbageCollector.DEFAULT_LEASE)));

            RegistryException refused = assertThrows(RegistryException.class, () -> f.gc.start(false, "alice"));
            assertEquals(ErrorCode.GC_RUNNING, refused.code());
            assertTrue(refused.getMessage().contains("replica-b"), refused.getMessage());
            assertTrue(f.gc.start(true, "alice").completion().get(30, TimeUnit.SECONDS).finishedAt() != null,
                    "a dry run deletes nothing and needs no lease");

            // Replica b died: a lease later, this replica takes over, collects, and gives the lease back.
            f.pushImage("team/app", "v1", List.of(GcFixture.bytes("layer", 100)));
            f.metadata.deleteTag("team/app", "v1", "bob");
            f.clock.advance(GarbageCollector.DEFAULT_LEASE.plusSeconds(1));
            var run = f.gc.start(false, "alice").completion().get(30, TimeUnit.SECONDS);
            assertEquals("completed", run.outcome(), String.valueOf(run.error()));
            assertTrue(run.sweptBlobs() > 0, "it really collected");
            assertTrue(store.lease().isEmpty(), "given back at the end of the run");
        }
    }

    @Test
    void onlyTheHolderRenewsAndReleasesAndAnExpiredLeaseGoesToWhoeverAsksFirst() throws Exception {
        try (GcFixture f = fixture(SETTINGS)) {
            GcStore store = f.metadata.gcStore();
            Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
            Instant until = t0.plusSeconds(60);
            assertTrue(store.acquireLease("a", "run-1", t0, until));
            assertFalse(store.acquireLease("b", "run-2", t0.plusSeconds(30), t0.plusSeconds(90)), "held and not expired");
            assertTrue(store.renewLease("a", "run-1", t0.plusSeconds(120)));
            assertFalse(store.acquireLease("b", "run-2", t0.plusSeconds(100), t0.plusSeconds(160)), "renewed");

            assertTrue(store.acquireLease("b", "run-2", t0.plusSeconds(121), t0.plusSeconds(181)), "a expired");
            assertFalse(store.renewLease("a", "run-1", t0.plusSeconds(200)), "a stalled past its lease: it must stop");
            store.releaseLease("a", "run-1");
            assertEquals("b", store.lease().orElseThrow().holder(), "a cannot give back what b holds");
            store.releaseLease("b", "run-2");
            assertTrue(store.lease().isEmpty());
        }
    }

    @Test
    void aCollectorWhoseLeaseWasTakenStopsBeforeItsNextBatch() throws Exception {
        try (GcFixture f = fixture(SETTINGS)) {
            GcStore store = f.metadata.gcStore();
            for (int i = 0; i < 3; i++) {
                f.pushImage("team/app", "v" + i, List.of(GcFixture.bytes("layer-" + i, 100)));
                f.metadata.deleteTag("team/app", "v" + i, "bob");
            }
            f.clock.advance(Duration.ofSeconds(1)); // past the (zero) retention: everything is collectable
            // A store whose lease is taken by replica b as soon as this replica's run has started.
            GcStore stolen = new LeaseTakenAfterStart(store);
            GarbageCollector a = new GarbageCollector(stolen, f.blobs, DigestLocks.inProcess(), f.clock, SETTINGS,
                    AuditSink.NONE, "replica-a", GarbageCollector.DEFAULT_LEASE);
            var run = a.start(false, "alice").completion().get(30, TimeUnit.SECONDS);
            assertEquals("failed", run.outcome());
            assertTrue(String.valueOf(run.error()).contains("lease"), String.valueOf(run.error()));
            assertEquals(0, run.sweptManifests() + run.sweptBlobs(), "nothing deleted without the lease");
            assertEquals("replica-b", store.lease().orElseThrow().holder(), "b's lease is left alone");
        }
    }

    @Test
    void aPauseReturnsOnlyOnceTheReplicaCollectingElsewhereHasStopped() throws Exception {
        try (GcFixture f = new GcFixture(dir, SETTINGS)) {
            GcStore store = f.metadata.gcStore();
            Instant now = f.clock.instant();
            // Replica b is in a batch: it holds the lease and has not read the pause yet.
            assertTrue(store.acquireLease("replica-b", "gc-b", now, now.plus(GarbageCollector.DEFAULT_LEASE)));

            CompletableFuture<GcStatus> pause = CompletableFuture.supplyAsync(() -> f.gc.pause("alice", "recovery"));
            Thread.sleep(300);
            assertFalse(pause.isDone(), "b may still be deleting: the pause must not claim otherwise");
            assertTrue(f.gc.paused(), "the pause is in force for every replica at once");

            // b reads the pause before its next batch, ends its run and gives the lease back.
            store.releaseLease("replica-b", "gc-b");
            GcStatus status = pause.get(10, TimeUnit.SECONDS);
            assertTrue(status.pause().paused());
        }
    }

    @Test
    void aPauseDoesNotWaitForALeaseWhoseHolderDied() throws Exception {
        try (GcFixture f = new GcFixture(dir, SETTINGS)) {
            GcStore store = f.metadata.gcStore();
            Instant now = f.clock.instant();
            assertTrue(store.acquireLease("replica-b", "gc-b", now, now.plusSeconds(10)));
            f.clock.advance(Duration.ofSeconds(11));
            assertTrue(f.gc.pause("alice", "recovery").pause().paused(), "an expired lease holds nothing up");
        }
    }
}
