package io.stowage.recovery.scrub;

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
    @TempDir
    Path dir;

    @Test
    void dueAnIntervalAfterTheLastStartEvenAcrossARestart() throws Exception {
        Path state = dir.resolve("scrub/last-run");
        Instant first = Instant.parse("2026-01-01T00:00:00Z");
        ScrubSchedule schedule = new ScrubSchedule(state, Duration.ofDays(30), Clock.fixed(first, ZoneOffset.UTC));
        assertFalse(schedule.due(), "a first start does not scrub at once");
        assertEquals(first.plus(Duration.ofDays(30)), schedule.nextRunAt());

        ScrubSchedule restarted = new ScrubSchedule(state,
                Duration.ofDays(30), Clock.fixed(first.plus(Duration.ofDays(29)), ZoneOffset.UTC));
        assertFalse(restarted.due(), "a restart does not start the count over, nor run early");
        ScrubSchedule later = new ScrubSchedule(state, Duration.ofDays(30),
                Clock.fixed(first.plus(Duration.ofDays(30)), ZoneOffset.UTC));
        assertTrue(later.due());
        later.started(first.plus(Duration.ofDays(30)));
        assertFalse(later.due());

        Files.writeString(state, "garbage");
        assertFalse(later.due(), "an unreadable state counts from now");
        assertNull(new ScrubSchedule(state, Duration.ZERO, Clock.systemUTC()).nextRunAt());
    }
}
