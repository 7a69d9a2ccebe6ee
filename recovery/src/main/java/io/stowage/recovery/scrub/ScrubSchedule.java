package io.stowage.recovery.scrub;

import io.stowage.recovery.jobs.JobLeases;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * When the next scheduled scrub is due: {@code interval} after the last one started, counted across
 * restarts. The start time is kept in a one-line file, because a timer alone would start over at
 * every restart, and a registry restarted more often than once a month would never be scrubbed. A
 * registry that has never scrubbed counts from its first start (a first start does not begin by
 * reading every byte it holds). Replicas sharing a metadata database count from the later of their
 * own file and the scrub's last start on any replica (its job lease row), so they scrub once per
 * interval between them, not once each. Thread-safe.
 */
public final class ScrubSchedule {
    private static final Logger log = LoggerFactory.getLogger(ScrubSchedule.class);

    private final Path stateFile;
    private final Duration interval;
    private final Clock clock;
    private final JobLeases leases;

    public ScrubSchedule(Path stateFile, Duration interval, Clock clock, JobLeases leases) throws IOException {
        this.stateFile = stateFile;
        this.interval = interval;
        this.clock = clock;
        this.leases = leases;
        Files.createDirectories(stateFile.getParent());
        if (!Files.exists(stateFile)) {
            started(clock.instant());
        }
    }

    /** True when a scheduled run should start now. */
    public synchronized boolean due() {
        if (interval.isZero()) {
            return false;
        }
        return !clock.instant().isBefore(lastStart().plus(interval));
    }

    /** Records that a run started at {@code at} (any run: one an admin started counts too). */
    public synchronized void started(Instant at) throws IOException {
        Path temp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
        Files.writeString(temp, at.toString() + "\n", StandardCharsets.UTF_8);
        Files.move(temp, stateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The last start, here (the file) or on any replica sharing the database, whichever is later. */
    public synchronized Instant lastStart() {
        Instant local = localLastStart();
        return leases.lastStarted(ScrubJobs.LEASE).filter(shared -> shared.isAfter(local)).orElse(local);
    }

    /** The last start in the file; a file that cannot be read counts as "now", so it is rewritten, not trusted. */
    private Instant localLastStart() {
        try {
            return Instant.parse(Files.readString(stateFile, StandardCharsets.UTF_8).trim());
        } catch (NoSuchFileException | DateTimeParseException e) {
            log.warn("scrub schedule state unreadable, counting from now file={}", stateFile);
        } catch (IOException e) {
            log.warn("scrub schedule state unreadable, counting from now file={}", stateFile, e);
        }
        Instant now = clock.instant();
        try {
            started(now);
        } catch (IOException e) {
            log.warn("scrub schedule state not written file={}", stateFile, e);
        }
        return now;
    }

    public Instant nextRunAt() {
        return interval.isZero() ? null : lastStart().plus(interval);
    }
}
