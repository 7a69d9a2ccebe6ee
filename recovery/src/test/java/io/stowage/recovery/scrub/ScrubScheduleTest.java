package io.stowage.recovery.scrub;

import io.stowage.recovery.jobs.JobLeases;
import io.stowage.storage.meta.JdbcMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The monthly schedule survives restarts: it counts from the last start recorded on disk. */
class ScrubScheduleTest {
    private static final Instant FIRST = Instant.parse("2026-01-01T00:00:00Z");
    @TempDir
    Path dir;
    private JdbcMetadataStore metadata;

    @BeforeEach
    void open() {
        metadata = JdbcMetadataStore.openSqlite(dir.resolve("registry.db"), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        metadata.close();
    }

    private ScrubSchedule schedule(Duration interval, Instant now) throws Exception {
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        return new ScrubSchedule(dir.resolve("scrub/last-run"), interval, clock, new JobLeases(metadata, "replica-a", clock));
    }

    @Test
    void dueAnIntervalAfterTheLastStartEvenAcrossARestart() throws Exception {
        Path state = dir.resolve("scrub/last-run");
        ScrubSchedule schedule = schedule(Duration.ofDays(30), FIRST);
        assertFalse(schedule.due(), "a first start does not scrub at once");
        assertEquals(FIRST.plus(Duration.ofDays(30)), schedule.nextRunAt());

        ScrubSchedule restarted = schedule(Duration.ofDays(30), FIRST.plus(Duration.ofDays(29)));
        assertFalse(restarted.due(), "a restart does not start the count over, nor run early");
        ScrubSchedule later = schedule(Duration.ofDays(30), FIRST.plus(Duration.ofDays(30)));
        assertTrue(later.due());
        later.started(FIRST.plus(Duration.ofDays(30)));
        assertFalse(later.due());

        Files.writeString(state, "garbage");
        assertFalse(later.due(), "an unreadable state counts from now");
        assertNull(schedule(Duration.ZERO, FIRST).nextRunAt());
    }

    @Test
    void aScrubStartedOnAnyReplicaSharingTheDatabaseCounts() throws Exception {
        ScrubSchedule schedule = schedule(Duration.ofDays(30), FIRST);
        Instant elsewhere = FIRST.plus(Duration.ofDays(20));
        assertTrue(metadata.acquireJobLease(ScrubJobs.LEASE, "replica-b", "scrub-b", elsewhere, elsewhere.plusSeconds(120)));
        metadata.releaseJobLease(ScrubJobs.LEASE, "replica-b", "scrub-b");

        assertFalse(schedule(Duration.ofDays(30), FIRST.plus(Duration.ofDays(30))).due(),
                "replica-b scrubbed 10 days ago, though this replica's own file says 30");
        assertEquals(elsewhere.plus(Duration.ofDays(30)), schedule.nextRunAt());
        assertTrue(schedule(Duration.ofDays(30), elsewhere.plus(Duration.ofDays(30))).due());
    }
}
