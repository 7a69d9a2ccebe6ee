package io.stowage.recovery.scrub;

import io.stowage.audit.AuditSink;
import io.stowage.recovery.jobs.LeaseCheck;
import io.stowage.recovery.jobs.LeaseLostException;
import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.blob.DigestLocks;
import io.stowage.storage.meta.MetadataStore;
import io.stowage.storage.registry.RegistryService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * One integrity scrub over the whole registry, on the caller's thread:
 * <ol>
 *   <li>every stored blob re-hashed at {@code maxBytesPerSecond} ({@link BlobPass}); a corrupt one is
 *       quarantined ({@link BlobQuarantine}: moved, never deleted) unless the run is dry;</li>
 *   <li>every manifest row, live or soft-deleted, checked against its digest and for what it
 *       references ({@link ManifestPass}), giving the affected repositories and tags;</li>
 *   <li>with a {@link RepairSource} and not dry, what is corrupt or missing re-imported through the
 *       verified push path ({@link Repairer}).</li>
 * </ol>
 * A scrub deletes nothing, so it runs whether or not garbage collection is paused. Its start, end,
 * every quarantine and every repair are audit records; a log that cannot take them stops the run
 * (and no quarantine starts without it). Thread-safe: runs share nothing but the stores.
 */
public final class Scrubber {
    private static final Logger log = LoggerFactory.getLogger(Scrubber.class);
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

    private final RegistryService registry;
    private final MetadataStore metadata;
    private final BlobStore blobs;
    private final DigestLocks locks;
    private final ScrubAudit audit;
    private final Clock clock;
    private final BytePacer.Timer timer;

    /**
     * @param locks the same {@link DigestLocks} the registry's uploads and the collector use
     * @param timer time for pacing ({@link BytePacer.Timer#SYSTEM}; a test moves its own)
     */
    public Scrubber(RegistryService registry, MetadataStore metadata, BlobStore blobs, DigestLocks locks, AuditSink audit,
                    Clock clock, BytePacer.Timer timer) {
        this.registry = registry;
        this.metadata = metadata;
        this.blobs = blobs;
        this.locks = locks;
        this.audit = new ScrubAudit(audit, clock);
        this.clock = clock;
        this.timer = timer;
    }

    /**
     * What to do.
     *
     * @param actor             who asked: an admin, or {@code scheduler}
     * @param dryRun            find and report only: nothing is quarantined or repaired
     * @param repairFrom        where to fetch replacements from, or null for none
     * @param maxBytesPerSecond how fast blobs are read; 0 means no limit
     */
    public record Request(String actor, boolean dryRun, RepairSource repairFrom, long maxBytesPerSecond) {
        public Request {
            if (maxBytesPerSecond < 0) {
                throw new IllegalArgumentException("maxBytesPerSecond must be 0 (no limit) or more, was " + maxBytesPerSecond);
            }
        }
    }

    /** A run prepared and not yet executed: its id and a report that grows while it runs. */
    public final class Run {
        private final Request request;
        private final ScrubFindings findings;

        private Run(Request request, ScrubFindings findings) {
            this.request = request;
            this.findings = findings;
        }

        public String id() {
            return findings.id();
        }

        /** The report as of now (unfinished until {@link #execute} returns). */
        public ScrubReport report() {
            return findings.snapshot(null, null, null);
        }

        /**
         * Runs the scrub on this thread and returns its final report; never throws. {@code lease} is
         * asked before each blob and manifest: a run whose job lease another replica took ends
         * {@code failed} there.
         */
        public ScrubReport execute(LeaseCheck lease) {
            return Scrubber.this.execute(request, findings, lease);
        }
    }

    public Run prepare(Request request) {
        String id = "scrub-" + RUN_ID.format(clock.instant()) + "-" + UUID.randomUUID().toString().substring(0, 8);
        return new Run(request, new ScrubFindings(id, request.actor(), request.dryRun(),
                request.repairFrom() == null ? null : request.repairFrom().description(), request.maxBytesPerSecond(),
                clock.instant()));
    }

    /** Prepares and executes a run on this thread, outside any job lease. */
    public ScrubReport run(Request request) {
        return prepare(request).execute(LeaseCheck.NONE);
    }

    private ScrubReport execute(Request request, ScrubFindings findings, LeaseCheck lease) {
        String outcome = ScrubReport.COMPLETED;
        String error = null;
        try {
            audit.runStarted(findings.snapshot(null, null, null));
            log.info("scrub started run={} actor={} dryRun={} maxBytesPerSecond={} repairFrom={}", findings.id(),
                    request.actor(), request.dryRun(), request.maxBytesPerSecond(),
                    request.repairFrom() == null ? null : request.repairFrom().description());
            BytePacer pacer = new BytePacer(request.maxBytesPerSecond(), timer);
            BlobQuarantine quarantine = new BlobQuarantine(blobs, locks, audit, clock, timer);
            new BlobPass(blobs, quarantine, pacer, request.dryRun(), lease).run(findings);
            ManifestPass.Damage damage = new ManifestPass(metadata, blobs, audit, lease).run(findings);
            if (request.repairFrom() != null && !request.dryRun()
                    && !(findings.corrupt().isEmpty() && findings.missing().isEmpty())) {
                lease.ensureHeld();
                new Repairer(registry, metadata, blobs, audit).repair(findings, request.repairFrom(), damage);
            }
        } catch (InterruptedException | InterruptedIOException e) {
            Thread.currentThread().interrupt();
            outcome = ScrubReport.FAILED;
            error = "stopped (the registry is shutting down)";
        } catch (LeaseLostException e) {
            log.warn("scrub stopped run={} reason={}", findings.id(), e.getMessage());
            outcome = ScrubReport.FAILED;
            error = e.getMessage();
        } catch (IOException | RuntimeException e) {
            log.error("scrub failed run={}", findings.id(), e);
            outcome = ScrubReport.FAILED;
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        ScrubReport report = findings.snapshot(clock.instant(), outcome, error);
        audit.runEndedQuietly(report);
        log.info("scrub finished run={} outcome={} blobsChecked={} bytesHashed={} manifestsChecked={} corrupt={}"
                        + " missing={} quarantined={} repaired={} repairFailed={} affectedTags={}", report.id(), outcome,
                report.blobsChecked(), report.bytesHashed(), report.manifestsChecked(), report.corrupt().size(),
                report.missing().size(), report.quarantined().size(), report.repaired().size(),
                report.repairFailed().size(), report.affected().size());
        return report;
    }
}
