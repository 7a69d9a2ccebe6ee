package io.stowage.recovery.backup;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditSink;
import io.stowage.recovery.jobs.HeldLease;
import io.stowage.recovery.jobs.JobLeases;
import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Backups of a running registry: starts a {@link BackupWriter} run on a thread of its own (never a
 * request's), one at a time ({@code BACKUP_RUNNING} while one runs), and keeps the reports of the
 * last {@value #HISTORY} runs in memory for the admin API (the audit log keeps every run for good).
 *
 * <p>One at a time across replicas too: a run holds the job lease {@value #LEASE} of the shared
 * metadata database, so two replicas never write into the same directory at once, and a run whose
 * lease another replica took (it stalled past it) stops at its next item. Scheduled runs count their
 * interval from the last start on any replica ({@link #startIfDue}), so replicas with the same
 * schedule make one backup per interval between them.
 *
 * <p>Audit (fail-closed, like the collector): a run starts only if the audit log can take records,
 * its start record is durable before it writes anything, and its end record carries its counts
 * and outcome; scheduled runs have the actor {@value #SCHEDULER}. Thread-safe.
 */
public final class Backups implements AutoCloseable {
    /** The actor of runs the registry starts on its schedule. */
    public static final String SCHEDULER = "scheduler";
    static final String RUN_START = "backup.run.start";
    static final String RUN_END = "backup.run.end";
    /** The name of the backups' job lease. */
    public static final String LEASE = "backup";
    private static final int HISTORY = 100;
    private static final Logger log = LoggerFactory.getLogger(Backups.class);
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

    private final MetadataStore metadata;
    private final BackupWriter writer;
    private final AuditSink audit;
    private final Clock clock;
    private final JobLeases leases;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "registry-backup");
        t.setDaemon(true);
        return t;
    });
    /** Newest first. */
    private final Deque<BackupProgress> history = new ArrayDeque<>();
    private BackupProgress current;

    public Backups(MetadataStore metadata, BlobStore blobs, AuditSink audit, Clock clock, JobLeases leases) {
        this.metadata = metadata;
        this.writer = new BackupWriter(metadata, blobs, clock);
        this.audit = audit;
        this.clock = clock;
        this.leases = leases;
    }

    /** A run as started, and its report once it has ended. */
    public record Started(BackupReport report, CompletableFuture<BackupReport> done) {
    }

    /**
     * Checks the directory and starts a run in the background. {@code BACKUP_TARGET_INVALID} (and
     * nothing written) for a directory that cannot be used, {@code BACKUP_RUNNING} while a run is
     * under way (with {@code detail.holder} and {@code detail.leaseExpiresAt} when it is another
     * replica's), {@link io.stowage.audit.AuditUnavailableException} when the audit log cannot take
     * records.
     *
     * @param to    the directory: absolute, on this host
     * @param actor who asked: an admin, or {@link #SCHEDULER}
     */
    public synchronized Started start(String to, String actor) {
        if (current != null) {
            throw new RegistryException(ErrorCode.BACKUP_RUNNING, "a backup is running", Map.of("id", current.id()));
        }
        Path root = BackupTarget.check(to, metadata.registryId());
        audit.ensureWritable();
        String id = "backup-" + RUN_ID.format(clock.instant()) + "-" + UUID.randomUUID().toString().substring(0, 8);
        HeldLease lease = leases.take(LEASE, id, ErrorCode.BACKUP_RUNNING);
        BackupProgress progress = new BackupProgress(id, root.toString(), actor, clock.instant());
        CompletableFuture<BackupReport> done;
        try {
            done = CompletableFuture.supplyAsync(() -> execute(root, progress, lease), runner);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
        current = progress;
        history.addFirst(progress);
        while (history.size() > HISTORY) {
            history.removeLast();
        }
        return new Started(progress.report(), done);
    }

    /** Reports of the last runs, newest first (the running one included). */
    public synchronized List<BackupReport> runs() {
        List<BackupReport> reports = new ArrayList<>(history.size());
        for (BackupProgress progress : history) {
            reports.add(progress.report());
        }
        return reports;
    }

    public synchronized Optional<BackupReport> run(String id) {
        return history.stream().filter(progress -> progress.id().equals(id)).findFirst().map(BackupProgress::report);
    }

    /** The running backup's report, if one runs. */
    public synchronized Optional<BackupReport> current() {
        return Optional.ofNullable(current).map(BackupProgress::report);
    }

    /**
     * Starts a run of the schedule unless a run started on any replica less than {@code interval}
     * ago; empty when it skipped. A start a tenth of the interval short still counts as due: the timer
     * asking runs every interval, and a moment of drift between its delay and the clock must not skip
     * a whole interval. Throws as {@link #start} does (a run under way here or on another replica).
     */
    public Optional<Started> startIfDue(String to, Duration interval) {
        Optional<Instant> last = leases.lastStarted(LEASE);
        if (last.isPresent() && clock.instant().isBefore(last.get().plus(interval).minus(interval.dividedBy(10)))) {
            log.info("scheduled backup skipped: a run started within the interval on some replica lastStartedAt={}", last.get());
            return Optional.empty();
        }
        return Optional.of(start(to, SCHEDULER));
    }

    private BackupReport execute(Path root, BackupProgress progress, HeldLease lease) {
        try (lease) {
            return write(root, progress, lease);
        }
    }

    private BackupReport write(Path root, BackupProgress progress, HeldLease lease) {
        try {
            durable(AuditEntry.event(clock.instant(), RUN_START, progress.actor(), null, null, null, startDetail(progress, root)));
            log.info("backup started run={} to={} actor={}", progress.id(), root, progress.actor());
            writer.write(root, progress, lease);
            return finish(progress, progress.hasProblems() ? BackupReport.FAILED : BackupReport.COMPLETED,
                    progress.hasProblems() ? "some content could not be copied (see problems); the next run retries it" : null);
        } catch (Exception e) {
            log.error("backup failed run={} to={}", progress.id(), root, e);
            return finish(progress, BackupReport.FAILED, String.valueOf(e.getMessage()));
        }
    }

    private BackupReport finish(BackupProgress progress, String outcome, String error) {
        progress.finish(outcome, error, clock.instant());
        BackupReport report = progress.report();
        try {
            durable(AuditEntry.event(report.finishedAt(), RUN_END, report.actor(), null, null, null, endDetail(report)));
        } catch (RuntimeException e) {
            // The report still says what happened; the log's own failure is what needs attention.
            log.error("backup run end not audited run={}", report.id(), e);
        }
        synchronized (this) {
            current = null;
        }
        log.info("backup finished run={} outcome={} blobsWritten={} manifestsWritten={} bytes={} journalEvents={}"
                        + " unchanged={} problems={} durationMs={}", report.id(), outcome, report.blobs().written(),
                report.manifests().written(), report.bytesWritten(), report.journalEvents(), report.unchanged(),
                report.problems().size(), report.durationMs());
        return report;
    }

    private static Map<String, Object> startDetail(BackupProgress progress, Path root) {
        Map<String, Object> detail = new TreeMap<>();
        detail.put("runId", progress.id());
        detail.put("to", root.toString());
        return detail;
    }

    private static Map<String, Object> endDetail(BackupReport report) {
        Map<String, Object> detail = new TreeMap<>();
        detail.put("runId", report.id());
        detail.put("to", report.to());
        detail.put("outcome", report.outcome());
        detail.put("blobsWritten", report.blobs().written());
        detail.put("manifestsWritten", report.manifests().written());
        detail.put("bytesWritten", report.bytesWritten());
        detail.put("journalEvents", report.journalEvents());
        detail.put("problems", report.problems().size());
        detail.put("durationMs", report.durationMs());
        if (report.error() != null) {
            detail.put("error", report.error());
        }
        return detail;
    }

    /** Appends and waits until the record is durable; the log's failure is thrown. */
    private void durable(AuditEntry entry) {
        try {
            audit.append(entry).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Stops a run in progress (its state file is left as the previous run wrote it) and the runner thread. */
    @Override
    public void close() {
        runner.shutdownNow();
        try {
            runner.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
