package io.stowage.recovery.scrub;

import io.stowage.gc.GcFixture;
import io.stowage.gc.GcSettings;
import io.stowage.recovery.jobs.JobLeases;
import io.stowage.storage.blob.DigestLocks;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs in the background one at a time, with status while running and reports afterwards. */
class ScrubJobsTest {
    @TempDir
    Path dir;

    @Test
    void oneRunAtATimeOnItsOwnThreadAndItsReportAfterwards() throws Exception {
        GatedTimer blockingTimer = new GatedTimer();
        try (GcFixture f = new GcFixture(dir, new GcSettings(Duration.ofHours(1), Duration.ofDays(1), 10))) {
            f.pushImage("app", "v1", List.of(GcFixture.bytes("a", 100_000)));
            RecordingAudit audit = new RecordingAudit();
            try (ScrubJobs jobs = new ScrubJobs(new Scrubber(f.registry, f.metadata, f.blobs, DigestLocks.inProcess(), audit,
                    f.clock, blockingTimer), new JobLeases(f.metadata, "replica-a", f.clock))) {
                ScrubReport started = jobs.start(new Scrubber.Request("alice", false, null, 1000));
                assertNull(started.finishedAt());
                assertTrue(blockingTimer.awaitHeld());
                assertEquals(started.id(), jobs.current().orElseThrow().id());
                RegistryException busy = assertThrows(RegistryException.class,
                        () -> jobs.start(new Scrubber.Request("bob", true, null, 0)));
                assertEquals(ErrorCode.SCRUB_RUNNING, busy.code());
                assertEquals(started.id(), jobs.runs().get(0).id());

                blockingTimer.open();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (jobs.current().isPresent() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                ScrubReport done = jobs.run(started.id()).orElseThrow();
                assertEquals(ScrubReport.COMPLETED, done.outcome());
                assertEquals(done, jobs.lastRun().orElseThrow());
                assertEquals(2, done.blobsChecked());
                assertTrue(jobs.start(new Scrubber.Request("bob", true, null, 0)).id().startsWith("scrub-"));
            }
        }
    }
}
