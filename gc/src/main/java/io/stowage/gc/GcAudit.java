package io.stowage.gc;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditRecord;
import io.stowage.audit.AuditSink;
import io.stowage.storage.meta.GcDeletion;
import io.stowage.storage.meta.GcRunRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What the collector tells the audit log, so that when a layer disappeared, in which run, and who
 * paused or resumed the collector around it can be answered from the log alone. Each method waits
 * until its records are durable: the collector deletes nothing more until the log holds what it
 * has deleted so far. Thread-safe (the sink is).
 */
final class GcAudit {
    static final String RUN_START = "gc.run.start";
    static final String RUN_END = "gc.run.end";
    static final String MANIFEST_DELETE = "gc.manifest.delete";
    static final String BLOB_DELETE = "gc.blob.delete";
    static final String PAUSE = "gc.pause";
    static final String RESUME = "gc.resume";

    private static final Logger log = LoggerFactory.getLogger(GcAudit.class);

    private final AuditSink sink;
    private final Clock clock;

    GcAudit(AuditSink sink, Clock clock) {
        this.sink = sink;
        this.clock = clock;
    }

    /** Throws {@link io.stowage.audit.AuditUnavailableException} unless the log can take records now. */
    void ensureWritable() {
        sink.ensureWritable();
    }

    void runStarted(RunProgress run, GcSettings settings) {
        Map<String, Object> detail = runDetail(run);
        detail.put("dryRun", run.dryRun());
        detail.put("gracePeriod", settings.gracePeriod().toString());
        detail.put("retention", settings.retention().toString());
        durable(List.of(AuditEntry.event(run.startedAt(), RUN_START, run.actor(), null, null, null, detail)));
    }

    /** One record per deleted manifest or blob of a batch whose removals have committed. */
    void deleted(RunProgress run, List<GcDeletion> deletions) {
        if (deletions.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        List<AuditEntry> entries = new ArrayList<>(deletions.size());
        for (GcDeletion deletion : deletions) {
            Map<String, Object> detail = runDetail(run);
            detail.put("size", deletion.size());
            boolean manifest = "manifest".equals(deletion.kind());
            entries.add(AuditEntry.event(now, manifest ? MANIFEST_DELETE : BLOB_DELETE, run.actor(),
                    manifest ? deletion.repository() : null, null, deletion.digest(), detail));
        }
        durable(entries);
    }

    void runEnded(RunProgress run) {
        GcRunRecord record = run.record();
        Map<String, Object> detail = runDetail(run);
        detail.put("dryRun", record.dryRun());
        detail.put("outcome", record.outcome());
        detail.put("markedManifests", record.markedManifests());
        detail.put("markedBlobs", record.markedBlobs());
        detail.put("sweptManifests", record.sweptManifests());
        detail.put("sweptBlobs", record.sweptBlobs());
        detail.put("sweptBytes", record.sweptBytes());
        if (record.error() != null) {
            detail.put("error", record.error());
        }
        durable(List.of(AuditEntry.event(record.finishedAt(), RUN_END, run.actor(), null, null, null, detail)));
    }

    /**
     * @param wasPaused  whether the collector was paused already (a second pause changes nothing)
     * @param runningId  the run the pause stopped at its batch boundary, or null if none was running
     */
    void paused(Instant at, String actor, String reason, boolean wasPaused, String runningId) {
        Map<String, Object> detail = new TreeMap<>();
        putIfKnown(detail, "reason", reason);
        detail.put("wasPaused", wasPaused);
        putIfKnown(detail, "runId", runningId);
        durable(List.of(AuditEntry.event(at, PAUSE, actor, null, null, null, detail)));
    }

    void resumed(Instant at, String actor, String reason, boolean wasPaused) {
        Map<String, Object> detail = new TreeMap<>();
        putIfKnown(detail, "reason", reason);
        detail.put("wasPaused", wasPaused);
        durable(List.of(AuditEntry.event(at, RESUME, actor, null, null, null, detail)));
    }

    /** Like {@link #runEnded} but never throws: the end of a run must be recorded in the store whatever the log does. */
    void runEndedQuietly(RunProgress run) {
        try {
            runEnded(run);
        } catch (RuntimeException e) {
            log.error("gc run end not audited run={}", run.id(), e);
        }
    }

    private static Map<String, Object> runDetail(RunProgress run) {
        Map<String, Object> detail = new TreeMap<>();
        detail.put("runId", run.id());
        return detail;
    }

    private static void putIfKnown(Map<String, Object> detail, String key, Object value) {
        if (value != null) {
            detail.put(key, value);
        }
    }

    /** Queues the entries together (one group commit) and waits until all are durable. */
    private void durable(List<AuditEntry> entries) {
        List<CompletableFuture<AuditRecord>> pending = new ArrayList<>(entries.size());
        for (AuditEntry entry : entries) {
            pending.add(sink.append(entry));
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }
}
