package io.stowage.audit;

import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * The signed statement of a checkpoint record: in segment {@code segment}, the {@code count}
 * records from {@code firstSeq} to {@code lastSeq} end with the record whose hash is
 * {@code lastHash}. The signature is Ed25519 over the canonical JSON of the statement; a sealed
 * checkpoint is the last line of its segment. In a record, the statement sits under
 * {@code detail.statement}, the base64 signature under {@code detail.signature}, and an optional
 * RFC 3161 token over SHA-256 of the canonical statement under {@code detail.timestampToken}.
 *
 * <p>{@code replica} names the chain; checkpoints written before chains had replicas have none,
 * and their statement (and so the bytes signed) is exactly what it was.
 */
public record Checkpoint(String segment, long firstSeq, long lastSeq, long count, String lastHash, boolean sealed,
                         String time, String keyId, String replica) {

    public static final String ACTION = "audit.checkpoint";

    public Map<String, Object> statement() {
        Map<String, Object> map = new TreeMap<>();
        map.put("segment", segment);
        map.put("firstSeq", firstSeq);
        map.put("lastSeq", lastSeq);
        map.put("count", count);
        map.put("lastHash", lastHash);
        map.put("sealed", sealed);
        map.put("time", time);
        map.put("keyId", keyId);
        if (replica != null) {
            map.put("replica", replica);
        }
        return map;
    }

    public byte[] signedBytes() {
        return RecordCodec.canonical(statement());
    }

    /** Reads the statement back out of a checkpoint record's detail; throws when it is malformed. */
    public static Checkpoint fromDetail(Map<String, Object> detail) {
        if (detail == null || !(detail.get("statement") instanceof Map<?, ?> s)) {
            throw new MalformedRecordException("checkpoint without a statement");
        }
        try {
            return new Checkpoint((String) s.get("segment"), (Long) s.get("firstSeq"), (Long) s.get("lastSeq"),
                    (Long) s.get("count"), (String) s.get("lastHash"), (Boolean) s.get("sealed"),
                    (String) s.get("time"), (String) s.get("keyId"), (String) s.get("replica"));
        } catch (ClassCastException | NullPointerException e) {
            throw new MalformedRecordException("malformed checkpoint statement: " + e.getMessage());
        }
    }

    /** The signature bytes of a checkpoint record's detail, or null when absent or not base64. */
    public static byte[] signature(Map<String, Object> detail) {
        if (!(detail.get("signature") instanceof String s)) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
