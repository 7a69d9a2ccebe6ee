package io.stowage.audit;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a caller hands to the log: everything of a record except what the log assigns itself
 * (sequence number, previous hash, hash). Unknown values are null and left out of the record.
 *
 * @param kind       {@link #REQUEST} for one HTTP request, {@link #EVENT} for something the
 *                   registry did on its own account (a GC deletion, a tag journal event), or
 *                   {@link #CHECKPOINT} (written by the log itself)
 * @param time       when it happened, UTC
 * @param action     the semantic action, e.g. {@code manifest.put}, {@code gc.blob.delete}
 * @param detail     extra facts of an event (a GC run id, an outcome), JSON-serialisable
 *                   values only: strings, numbers, booleans, lists and maps of them
 */
public record AuditEntry(String kind, Instant time, String requestId, String actor, String remoteAddr,
                         String method, String path, String action, String repository, String reference,
                         String digest, Integer status, Long bytesIn, Long bytesOut, Long durationMs,
                         String userAgent, Map<String, Object> detail) {

    public static final String REQUEST = "request";
    public static final String EVENT = "event";
    public static final String CHECKPOINT = "checkpoint";

    public AuditEntry {
        if (kind == null || time == null || action == null) {
            throw new IllegalArgumentException("kind, time and action are required");
        }
        detail = detail == null || detail.isEmpty() ? null : new TreeMap<>(detail);
    }

    /** An event of the registry's own, e.g. one digest a GC run deleted. */
    public static AuditEntry event(Instant time, String action, String actor, String repository, String reference,
                                   String digest, Map<String, Object> detail) {
        return new AuditEntry(EVENT, time, null, actor, null, null, null, action, repository, reference, digest,
                null, null, null, null, null, detail);
    }

    /** Whether the caller must see the record durable before it answers (anything that changes state). */
    public boolean isMutation() {
        if (!REQUEST.equals(kind)) {
            return true;
        }
        return method != null && !method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS");
    }

    /** A copy with one more detail value; used to note what happened to the record on its way to disk. */
    public AuditEntry withDetail(String key, Object value) {
        Map<String, Object> more = detail == null ? new TreeMap<>() : new TreeMap<>(detail);
        more.put(key, value);
        return new AuditEntry(kind, time, requestId, actor, remoteAddr, method, path, action, repository, reference,
                digest, status, bytesIn, bytesOut, durationMs, userAgent, more);
    }
}
