package io.stowage.recovery.scrub;

import io.stowage.audit.AuditSink;
import io.stowage.gc.GcFixture;
import io.stowage.gc.GcSettings;
import io.stowage.recovery.jobs.JobLeases;
import io.stowage.storage.blob.DigestLocks;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.JdbcMetadataStore;
import io.stowage.storage.meta.PostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two replicas (two metadata stores on one PostgreSQL database, one blob directory) scrub one at a
 * time, and their monthly schedules make one scrub per interval between them.
 */
class ScrubReplicasTest {
    private static final Duration MONTH = Duration.ofDays(30);
    @TempDir
    Path dir;
    private GcFixture a;
    private GcFixture b;
    private final GatedTimer timerA = new GatedTimer();
    private ScrubJobs scrubsA;
    private ScrubJobs scrubsB;

    @BeforeEach
    void open() throws Exception {
        PostgresServer.Database database = PostgresServer.shared().createDatabase();
        GcSettings settings = new GcSettings(Duration.ofHours(1), Duration.ofDays(1), 10);
        a = new GcFixture(dir.resolve("data"), settings, AuditSink.NONE,
                clock -> JdbcMetadataStore.openPostgres(database.settings(), clock));
        b = new GcFixture(dir.resolve("data"), settings, AuditSink.NONE,
                clock -> JdbcMetadataStore.openPostgres(database.settings(), clock));
        a.pushImage("app", "v1", List.of(GcFixture.bytes("a", 100_000)));
        scrubsA = new ScrubJobs(new Scrubber(a.registry, a.metadata, a.blobs, DigestLocks.inProcess(), new RecordingAudit(),
                a.clock, timerA), new JobLeases(a.metadata, "replica-a", a.clock));
        scrubsB = new ScrubJobs(new Scrubber(b.registry, b.metadata, b.blobs, DigestLocks.inProcess(), new RecordingAudit(),
                b.clock, new FakeTimer()), new JobLeases(b.metadata, "replica-b", b.clock));
    }

    @AfterEach
    void close() throws Exception {
        timerA.open();
        scrubsA.close();
        scrubsB.close();
        a.close();
        b.close();
    }

    private void advance(Duration duration) {
        a.clock.advance(duration);
        b.clock.advance(duration);
    }

    private static Scrubber.Request request(String actor, long maxBytesPerSecond) {
        return new Scrubber.Request(actor, true, null, maxBytesPerSecond);
    }

    /** The report of {@code id} once its run has ended. */
    private static ScrubReport finished(ScrubJobs jobs, String id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (jobs.current().isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return jobs.run(id).orElseThrow();
    }

    @Test
    void aScrubOnAnotherReplicaIsRefusedWhileOneRunsAndNamesItsHolder() throws Exception {
        ScrubReport running = scrubsA.start(request("alice", 1000));
        assertTrue(timerA.awaitHeld());

        RegistryException busy = assertThrows(RegistryException.class, () -> scrubsB.start(request("bob", 0)));
        assertEquals(ErrorCode.SCRUB_RUNNING, busy.code());
        Map<?, ?> detail = (Map<?, ?>) busy.detail();
        assertEquals("replica-a", detail.get("holder"));
        assertEquals(running.id(), detail.get("id"));
        assertEquals(a.clock.instant().plus(JobLeases.DEFAULT_TTL).toString(), detail.get("leaseExpiresAt"));

        timerA.open();
        assertEquals(ScrubReport.COMPLETED, finished(scrubsA, running.id()).outcome());
        ScrubReport next = scrubsB.start(request("bob", 0));
        assertEquals(ScrubReport.COMPLETED, finished(scrubsB, next.id()).outcome());
        assertEquals(2, finished(scrubsB, next.id()).blobsChecked());
    }

    @Test
    void aLeaseWhoseHolderDiedIsTakenOverOnceItExpires() throws Exception {
        Instant now = a.clock.instant();
        assertTrue(a.metadata.acquireJobLease(ScrubJobs.LEASE, "replica-dead", "scrub-x", now, now.plus(JobLeases.DEFAULT_TTL)));
        RegistryException busy = assertThrows(RegistryException.class, () -> scrubsB.start(request("bob", 0)));
        assertEquals("replica-dead", ((Map<?, ?>) busy.detail()).get("holder"));

        advance(JobLeases.DEFAULT_TTL.plusSeconds(1));
        ScrubReport started = scrubsB.start(request("bob", 0));
        assertEquals(ScrubReport.COMPLETED, finished(scrubsB, started.id()).outcome());
    }

    @Test
    void aRunWhoseLeaseWasTakenOverStops() throws Exception {
        ScrubReport stalled = scrubsA.start(request("alice", 1000));
        assertTrue(timerA.awaitHeld());
        advance(JobLeases.DEFAULT_TTL.plusSeconds(1)); // A stalls past its lease without renewing it
        ScrubReport takenOver = scrubsB.start(request("bob", 0));
        assertEquals(ScrubReport.COMPLETED, finished(scrubsB, takenOver.id()).outcome());

        timerA.open();
        ScrubReport failed = finished(scrubsA, stalled.id());
        assertEquals(ScrubReport.FAILED, failed.outcome());
        assertEquals("the scrub lease was taken by another replica", failed.error());
        assertEquals(0, failed.manifestsChecked(), "A stopped before its manifest pass");
    }

    @Test
    void replicaSchedulesScrubOncePerIntervalBetweenThem() throws Exception {
        ScrubSchedule scheduleA = new ScrubSchedule(dir.resolve("a/scrub/last-run"), MONTH, a.clock,
                new JobLeases(a.metadata, "replica-a", a.clock));
        ScrubSchedule scheduleB = new ScrubSchedule(dir.resolve("b/scrub/last-run"), MONTH, b.clock,
                new JobLeases(b.metadata, "replica-b", b.clock));
        advance(MONTH);
        assertTrue(scheduleA.due());
        assertTrue(scheduleB.due());

        timerA.open();
        ScrubReport started = scrubsA.start(request("scheduler", 0));
        scheduleA.started(started.startedAt());
        assertFalse(scheduleB.due(), "A's scrub counts for B");
        assertEquals(a.clock.instant().plus(MONTH), scheduleB.nextRunAt());
        finished(scrubsA, started.id());

        advance(MONTH);
        assertTrue(scheduleB.due());
        assertTrue(scheduleA.due());
    }
}
