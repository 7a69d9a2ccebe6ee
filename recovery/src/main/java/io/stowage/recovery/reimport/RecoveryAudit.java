package io.stowage.recovery.reimport;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;

/**
 * The audit events of imports and re-imports: {@code recovery.reimport} (what came from where,
 * checked against which push record), {@code recovery.restore} (the tag put back after it, naming
 * the original push record's {@code provenanceSeq}; the tag journal's own {@code tag.restored}
 * precedes it) and {@code recovery.import} (one image of a layout import). Appended on the
 * caller's thread under the request's id, before the request's own record, so by the time the
 * answer leaves (which waits for that record) they are durable too. Thread-safe.
 */
final class RecoveryAudit {
    static final String REIMPORT = "recovery.reimport";
    static final String RESTORE = "recovery.restore";
    static final String IMPORT = "recovery.import";
    private static final Logger log = LoggerFactory.getLogger(RecoveryAudit.class);

    private final AuditSink sink;
    private final Clock clock;

    RecoveryAudit(AuditSink sink, Clock clock) {
        this.sink = sink;
        this.clock = clock;
    }

    /** Throws {@link io.stowage.audit.AuditUnavailableException} unless a change may be recorded now. */
    void ensureWritable() {
        sink.ensureWritable();
    }

    void record(String action, String requestId, String actor, String repository, String reference, String digest,
                Map<String, Object> detail) {
        AuditEntry entry = new AuditEntry(AuditEntry.EVENT, clock.instant(), requestId, actor, null, null, null, action,
                repository, reference, digest, null, null, null, null, null, new TreeMap<>(detail));
        sink.append(entry).exceptionally(failure -> {
            log.error("{} event not written to the audit log repository={} digest={}", action, repository, digest, failure);
            return null;
        });
    }

    /** The counts of a report, as audit detail. */
    static Map<String, Object> counts(ImportReport report) {
        Map<String, Object> detail = new TreeMap<>();
        detail.put("imported", report.imported().size());
        detail.put("alreadyPresent", report.alreadyPresent().size());
        detail.put("linked", report.linked().size());
        detail.put("failed", report.failed().size());
        detail.put("bytes", report.bytes());
        return detail;
    }
}
