package io.stowage.recovery.scrub;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditRecord;
import io.stowage.audit.AuditSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What a scrub tells the audit log: {@code scrub.run.start} and {@code scrub.run.end} (counts and
 * the digests found), {@code scrub.quarantine} for each blob taken out of service,
 * {@code scrub.manifest.corrupt} for each manifest row whose bytes no longer match, and
 * {@code scrub.repair} for each repair tried. Every method waits until its record is durable, so the
 * run goes no further than the log: a log that cannot be written stops the run, and a quarantine is
 * only started after {@link #ensureWritable} (fail closed, as the collector's deletions are).
 * Thread-safe (the sink is).
 */
final class ScrubAudit {
    static final String RUN_START = "scrub.run.start";
    static final String RUN_END = "scrub.run.end";
    static final String QUARANTINE = "scrub.quarantine";
    static final String MANIFEST_CORRUPT = "scrub.manifest.corrupt";
    static final String REPAIR = "scrub.repair";
    /** Digests listed in a run's end record at most, per list; the run's report has them all. */
    private static final int MAX_LISTED = 100;
    private static final Logger log = LoggerFactory.getLogger(ScrubAudit.class);

    private final AuditSink sink;
    private final Clock clock;

    ScrubAudit(AuditSink sink, Clock clock) {
        this.sink = sink;
        this.clock = clock;
    }

    /** Throws {@link io.stowage.audit.AuditUnavailableException} unless the log can take records now. */
    void ensureWritable() {
        sink.ensureWritable();
    }

    void runStarted(ScrubReport run) {
        Map<String, Object> detail = runDetail(run.id());
        detail.put("dryRun", run.dryRun());
        detail.put("maxBytesPerSecond", run.maxBytesPerSecond());
        putIfKnown(detail, "repairFrom", run.repairFrom());
        durable(AuditEntry.event(run.startedAt(), RUN_START, run.actor(), null, null, null, detail));
    }

    void quarantined(ScrubFindings run, String digest, String path, String reason, long size) {
        Map<String, Object> detail = runDetail(run.id());
        detail.put("path", path);
        detail.put("reason", reason);
        detail.put("size", size);
        durable(AuditEntry.event(clock.instant(), QUARANTINE, run.actor(), null, null, digest, detail));
    }

    void corruptManifest(ScrubFindings run, String repository, String digest, String actualDigest) {
        Map<String, Object> detail = runDetail(run.id());
        detail.put("actualDigest", actualDigest);
        durable(AuditEntry.event(clock.instant(), MANIFEST_CORRUPT, run.actor(), repository, null, digest, detail));
    }

    void repair(ScrubFindings run, String repository, String digest, String kind, boolean repaired, String note,
                String source) {
        Map<String, Object> detail = runDetail(run.id());
        detail.put("kind", kind);
        detail.put("outcome", repaired ? "repaired" : "failed");
        detail.put("source", source);
        putIfKnown(detail, "reason", repaired ? null : note);
        durable(AuditEntry.event(clock.instant(), REPAIR, run.actor(), repository, null, digest, detail));
    }

    /** Never throws: the end of a run is kept in its report whatever the log does. */
    void runEndedQuietly(ScrubReport run) {
        try {
            Map<String, Object> detail = runDetail(run.id());
            detail.put("dryRun", run.dryRun());
            detail.put("outcome", run.outcome());
            putIfKnown(detail, "error", run.error());
            detail.put("blobsChecked", run.blobsChecked());
            detail.put("bytesHashed", run.bytesHashed());
            detail.put("manifestsChecked", run.manifestsChecked());
            detail.put("corrupt", digests(run.corrupt()));
            detail.put("missing", digests(run.missing()));
            detail.put("quarantined", run.quarantined().size());
            detail.put("repaired", run.repaired().size());
            detail.put("repairFailed", run.repairFailed().size());
            detail.put("affectedTags", run.affected().size());
            durable(AuditEntry.event(run.finishedAt(), RUN_END, run.actor(), null, null, null, detail));
        } catch (RuntimeException e) {
            log.error("scrub run end not audited run={}", run.id(), e);
        }
    }

    private static List<String> digests(List<ScrubReport.Finding> findings) {
        return findings.stream().limit(MAX_LISTED).map(f -> f.kind() + " " + f.digest()).toList();
    }

    private static Map<String, Object> runDetail(String runId) {
        Map<String, Object> detail = new TreeMap<>();
        detail.put("runId", runId);
        return detail;
    }

    private static void putIfKnown(Map<String, Object> detail, String key, Object value) {
        if (value != null) {
            detail.put(key, value);
        }
    }

    private void durable(AuditEntry entry) {
        CompletableFuture<AuditRecord> pending = sink.append(entry);
        try {
            pending.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }
}
