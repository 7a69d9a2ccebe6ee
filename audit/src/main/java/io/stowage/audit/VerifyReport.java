package io.stowage.audit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of verifying a log: intact, with what was checked, or the first thing that is wrong.
 *
 * @param lastCheckpoint the statement of the newest checkpoint, null when there is none
 * @param problem        null when intact
 * @param otherReplicas  the other chains this one's {@code audit.replicas} records name, with the
 *                       key id and seq of the latest sighting (verified records only)
 */
public record VerifyReport(boolean ok, int segments, long records, long lastSeq, Map<String, Object> lastCheckpoint,
                           Problem problem, Map<String, Sighting> otherReplicas) {

    public VerifyReport {
        otherReplicas = Map.copyOf(otherReplicas);
    }

    /** Another replica's chain as a record of this one saw it: the key id it verified with, at which seq. */
    public record Sighting(String keyId, long seq) {
    }

    /** Where verification failed: the segment file, the sequence number at which the chain breaks, and why. */
    public record Problem(String segment, long seq, String reason) {
    }

    /** The JSON shape of {@code GET /admin/audit/verify}. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", ok);
        json.put("segments", segments);
        json.put("records", records);
        json.put("lastSeq", lastSeq);
        json.put("lastCheckpoint", lastCheckpoint);
        if (problem != null) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("segment", problem.segment());
            p.put("seq", problem.seq());
            p.put("reason", problem.reason());
            json.put("problem", p);
        }
        return json;
    }

    @Override
    public String toString() {
        if (ok) {
            return "audit log intact: " + segments + " segments, " + records + " records, last seq " + lastSeq;
        }
        return "audit log damaged: " + problem.segment() + " seq " + problem.seq() + ": " + problem.reason();
    }
}
