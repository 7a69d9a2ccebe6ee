package io.stowage.gc;

import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.GcDeletion;
import io.stowage.storage.meta.GcRunRecord;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GarbageCollectorTest {
    private static final GcSettings SETTINGS = new GcSettings(Duration.ofHours(24), Duration.ofDays(30), 10);

    @TempDir
    Path dir;

    /** A fixture over the data of {@link #dir}; subclasses choose another metadata database. */
    protected GcFixture fixture(GcSettings settings) throws Exception {
        return new GcFixture(dir, settings);
    }

    private static GcRunRecord run(GarbageCollector gc, boolean dryRun) throws Exception {
        return gc.start(dryRun).completion().get(60, TimeUnit.SECONDS);
    }

    @Test
    void afterRetentionADeletedTagsOwnLayersGoAndSharedOnesStay() throws Exception {
        try (GcFixture f = fixture(SETTINGS)) {
            byte[] shared = GcFixture.bytes("shared", 5000);
            byte[] own = GcFixture.bytes("own", 7000);
            Digest v1 = f.pushImage("app", "v1", List.of(shared, own));
            f.pushImage("app", "v2", List.of(shared));
            f.registry.deleteManifest("app", Reference.ofTag("v1"), "alice");

            f.clock.advance(Duration.ofDays(29));
            GcRunRecord early = run(f.gc, false);
            assertEquals("completed", early.outcome());
            assertEquals(0, early.sweptBlobs(), "inside the retention window nothing of v1 goes");
            assertTrue(f.stored(Digest.sha256(own)));

            f.clock.advance(Duration.ofDays(2));
            GcRunRecord late = run(f.gc, false);
            assertEquals(1, late.sweptManifests());
            Set<String> deleted = f.gc.deletions(late.id()).stream().map(GcDeletion::digest).collect(Collectors.toSet());
            assertTrue(deleted.contains(v1.toString()));
            assertTrue(deleted.contains(Digest.sha256(own).toString()));
            assertFalse(f.stored(Digest.sha256(own)));
            assertTrue(f.stored(Digest.sha256(shared)));
            assertTrue(f.metadata.findManifestByTag("app", "v2").isPresent());
        }
    }

    @Test
    void theGracePeriodProtectsAnUploadWaitingForItsManifest() throws Exception {
        try (GcFixture f = fixture(SETTINGS)) {
            Digest pending = f.pushBlob("app", GcFixture.bytes("pending", 1000));
            f.clock.advance(Duration.ofHours(23));
            run(f.gc, false);
            assertTrue(f.stored(pending));
            f.clock.advance(Duration.ofHours(2));
            run(f.gc, false);
            assertFalse(f.stored(pending), "an unreferenced blob past the grace period is swept");
        }
    }

    @Test
    void aBlobCheckedWithHeadSurvivesItsGracePeriodAgain() throws Exception {
        try (GcFixture f = fixture(SETTINGS)) {
            Digest checked = f.pushBlob("app", GcFixture.bytes("checked", 1000));
            Digest ignored = f.pushBlob("app", GcFixture.bytes("ignored", 1000));
            f.clock.advance(Duration.ofHours(23));
            f.registry.statBlob("app", checked); // what HEAD /v2/app/blobs/<digest> does
            f.clock.advance(Duration.ofHours(2));
            run(f.gc, false);
            assertTrue(f.stored(checked), "HEAD renewed the hold: the client is about to rely on it");
            assertFalse(f.stored(ignored));
        }
    }

    @Test
    void otherRemovalsSuchAsTheUploadPurgeWaitWhilePaused() throws Exception {
        try (GcFixture f = fixture(SETTINGS)) {
            boolean[] ran = {false};
            f.gc.pause("alice", "recovery");
            assertFalse(f.gc.runUnlessPaused(() -> ran[0] = true));
            assertFalse(ran[0]);
            f.gc.resume("alice");
            assertTrue(f.gc.runUnlessPaused(() -> ran[0] = true));
            assertTrue(ran[0]);
        }
    }

    @Test
    void aDryRunListsWhatWouldGoAndDeletesNothing() throws Exception {
        try (GcFixture f = fixture(SETTINGS)) {
            byte[] own = GcFixture.bytes("dry", 3000);
            Digest v1 = f.pushImage("app", "v1", List.of(own));
            f.registry.deleteManifest("app", Reference.ofTag("v1"), "alice");
            f.clock.advance(Duration.ofDays(31));
            f.gc.pause("alice", "checking first");
            GcRunRecord dry = run(f.gc, true);
            assertTrue(dry.dryRun());
            Set<String> listed = f.gc.deletions(dry.id()).stream().map(GcDeletion::digest).collect(Collectors.toSet());
            assertTrue(listed.contains(v1.toString()));
            assertTrue(listed.contains(Digest.sha256(own).toString()));
            assertTrue(f.stored(Digest.sha256(own)));
            assertTrue(f.metadata.findManifestGraph("app", v1).isPresent());
        }
    }

    @Test
    void whilePausedARealRunIsRefusedAndThePauseSurvivesAReopen() throws Exception {
        try (GcFixture f = fixture(SETTINGS)) {
            f.gc.pause("alice", "restoring app:v1");
            RegistryException refused = assertThrows(RegistryException.class, () -> f.gc.start(false));
            assertEquals(ErrorCode.GC_PAUSED, refused.code());
            assertEquals("paused", f.gc.status().state());
        }
        try (GcFixture reopened = fixture(SETTINGS)) {
            assertTrue(reopened.gc.status().pause().paused());
            assertEquals("alice", reopened.gc.status().pause().pausedBy());
            assertEquals("restoring app:v1", reopened.gc.status().pause().reason());
            reopened.gc.resume("bob");
            assertEquals("idle", reopened.gc.status().state());
        }
    }

    @Test
    void pausingInTheMiddleOfALargeSweepStopsItAtABatchBoundary() throws Exception {
        try (GcFixture f = fixture(new GcSettings(Duration.ZERO, Duration.ZERO, 5))) {
            for (int i = 0; i < 300; i++) {
                f.pushBlob("app", GcFixture.bytes("orphan-" + i, 100));
            }
            f.clock.advance(Duration.ofSeconds(1));
            GarbageCollector.Started started = f.gc.start(false);
            RegistryException busy = assertThrows(RegistryException.class, () -> f.gc.start(true));
            assertEquals(ErrorCode.GC_RUNNING, busy.code(), "one run at a time");
            // Wait until the sweep is under way, then pause.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (f.gc.run(started.run().id()).orElseThrow().sweptBlobs() < 20 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            f.gc.pause("alice", "stop now");
            long countAtPause = storedBlobs(f);
            GcRunRecord finished = started.completion().get(60, TimeUnit.SECONDS);
            assertEquals("paused", finished.outcome());
            assertTrue(finished.sweptBlobs() < 300, "the sweep stopped before the end");
            Thread.sleep(200);
            assertEquals(countAtPause, storedBlobs(f), "nothing was deleted after pause returned");
            assertEquals(300 - finished.sweptBlobs(), countAtPause);
        }
    }

    private static long storedBlobs(GcFixture f) throws Exception {
        long[] count = {0};
        f.blobs.forEachBlob(blob -> count[0]++);
        return count[0];
    }
}
