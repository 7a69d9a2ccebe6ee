package io.stowage.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one definition of a record's bytes. A line is the record as canonical JSON: one object,
 * keys sorted by code point at every level, no whitespace, null values left out, integers only,
 * strings as Jackson writes them (UTF-8, {@code \"} {@code \\} and control characters escaped).
 * The hash is SHA-256 over the ASCII of {@code prevHash} followed by the canonical JSON of the
 * record without its {@code hash} key; a verifier re-encodes each parsed line and also demands
 * that the result is the line byte for byte, so any change to a line is caught.
 */
public final class RecordCodec {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .build();
    private static final TypeReference<TreeMap<String, Object>> MAP = new TypeReference<>() {
    };
    /** The common record's encoder; one per thread (in practice only the log's writer). */
    private static final ThreadLocal<PlainLineEncoder> PLAIN = ThreadLocal.withInitial(PlainLineEncoder::new);

    private RecordCodec() {
    }

    /** The record as the fields of its JSON object, {@code hash} included when set. */
    public static Map<String, Object> toMap(AuditRecord record) {
        AuditEntry e = record.entry();
        Map<String, Object> map = new TreeMap<>();
        map.put("seq", record.seq());
        map.put("kind", e.kind());
        map.put("time", TIME.format(e.time()));
        put(map, "requestId", e.requestId());
        put(map, "actor", e.actor());
        put(map, "remoteAddr", e.remoteAddr());
        put(map, "replica", record.replica());
        put(map, "method", e.method());
        put(map, "path", e.path());
        map.put("action", e.action());
        put(map, "repository", e.repository());
        put(map, "reference", e.reference());
        put(map, "digest", e.digest());
        put(map, "status", e.status() == null ? null : e.status().longValue());
        put(map, "bytesIn", e.bytesIn());
        put(map, "bytesOut", e.bytesOut());
        put(map, "durationMs", e.durationMs());
        put(map, "userAgent", e.userAgent());
        put(map, "detail", e.detail());
        map.put("prevHash", record.prevHash());
        put(map, "hash", record.hash());
        return map;
    }

    /** Gives a sequenced entry its hash: the record as it is written. */
    public static AuditRecord seal(long seq, String replica, AuditEntry entry, String prevHash) {
        AuditRecord unhashed = new AuditRecord(seq, replica, entry, prevHash, null);
        return new AuditRecord(seq, replica, entry, prevHash, hash(prevHash, canonical(toMap(unhashed))));
    }

    /** A record as written: the record with its hash, and its line (without the newline). */
    public record Encoded(AuditRecord record, byte[] line) {
    }

    /**
     * Sequences, hashes and encodes an entry in one pass: the writer's hot path. Plain records
     * (most) are put together by {@link PlainLineEncoder}; the rest have their canonical keys
     * written in sorted order straight to a generator instead of building a sorted map. Either
     * way the hash is spliced into the body it was computed over, and the bytes are exactly those
     * of {@link #line(AuditRecord)} of {@link #seal}, which a test checks.
     */
    public static Encoded encode(long seq, String replica, AuditEntry e, String prevHash) {
        Encoded plain = PLAIN.get().encode(seq, replica, e, prevHash);
        return plain != null ? plain : encodeEscaping(seq, replica, e, prevHash);
    }

    /** {@link #encode} through Jackson's generator, for any record; package-private for the test. */
    static Encoded encodeEscaping(long seq, String replica, AuditEntry e, String prevHash) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(512);
        int split;
        try (JsonGenerator g = CANONICAL.getFactory().createGenerator(body)) {
            g.writeStartObject();
            g.writeStringField("action", e.action());
            string(g, "actor", e.actor());
            number(g, "bytesIn", e.bytesIn());
            number(g, "bytesOut", e.bytesOut());
            if (e.detail() != null) {
                g.writeFieldName("detail");
                CANONICAL.writeValue(g, e.detail());
            }
            string(g, "digest", e.digest());
            number(g, "durationMs", e.durationMs());
            g.flush();
            split = body.size();
            // "hash" goes here when the line is written.
            g.writeStringField("kind", e.kind());
            string(g, "method", e.method());
            string(g, "path", e.path());
            g.writeStringField("prevHash", prevHash);
            string(g, "reference", e.reference());
            string(g, "remoteAddr", e.remoteAddr());
            string(g, "replica", replica);
            string(g, "repository", e.repository());
            string(g, "requestId", e.requestId());
            g.writeNumberField("seq", seq);
            number(g, "status", e.status() == null ? null : e.status().longValue());
            g.writeStringField("time", TIME.format(e.time()));
            string(g, "userAgent", e.userAgent());
            g.writeEndObject();
        } catch (IOException ex) {
            throw new IllegalArgumentException("not serialisable as canonical JSON", ex);
        }
        byte[] unhashed = body.toByteArray();
        String hash = hash(prevHash, unhashed);
        byte[] field = (",\"hash\":\"" + hash + "\"").getBytes(StandardCharsets.US_ASCII);
        byte[] line = new byte[unhashed.length + field.length];
        System.arraycopy(unhashed, 0, line, 0, split);
        System.arraycopy(field, 0, line, split, field.length);
        System.arraycopy(unhashed, split, line, split + field.length, unhashed.length - split);
        return new Encoded(new AuditRecord(seq, replica, e, prevHash, hash), line);
    }

    private static void string(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    private static void number(JsonGenerator g, String name, Long value) throws IOException {
        if (value != null) {
            g.writeNumberField(name, value);
        }
    }

    /** The line of a record, without the newline. */
    public static byte[] line(AuditRecord record) {
        return canonical(toMap(record));
    }

    /** SHA-256 over the previous hash's ASCII and the canonical body, as lowercase hex. */
    public static String hash(String prevHash, byte[] body) {
        MessageDigest sha = sha256();
        sha.update(prevHash.getBytes(StandardCharsets.US_ASCII));
        sha.update(body);
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Canonical JSON of any tree of maps, lists, strings, numbers and booleans. */
    public static byte[] canonical(Object tree) {
        try {
            return CANONICAL.writeValueAsBytes(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serialisable as canonical JSON", e);
        }
    }

    /** Parses a line into its fields (numbers as {@code Long}), sorted; throws on anything but a JSON object. */
    public static TreeMap<String, Object> parse(byte[] line) {
        try {
            return CANONICAL.readValue(line, MAP);
        } catch (java.io.IOException e) {
            throw new MalformedRecordException("not a JSON object: " + e.getMessage());
        }
    }

    /** Rebuilds a record from its parsed fields; throws when a required field is missing or mistyped. */
    @SuppressWarnings("unchecked")
    public static AuditRecord fromMap(Map<String, Object> map) {
        try {
            AuditEntry entry = new AuditEntry((String) map.get("kind"), Instant.parse((String) map.get("time")),
                    (String) map.get("requestId"), (String) map.get("actor"), (String) map.get("remoteAddr"),
                    (String) map.get("method"), (String) map.get("path"), (String) map.get("action"),
                    (String) map.get("repository"), (String) map.get("reference"), (String) map.get("digest"),
                    map.get("status") == null ? null : ((Long) map.get("status")).intValue(),
                    (Long) map.get("bytesIn"), (Long) map.get("bytesOut"), (Long) map.get("durationMs"),
                    (String) map.get("userAgent"), (Map<String, Object>) map.get("detail"));
            return new AuditRecord((Long) map.get("seq"), (String) map.get("replica"), entry,
                    (String) map.get("prevHash"), (String) map.get("hash"));
        } catch (RuntimeException e) {
            throw new MalformedRecordException("not a record: " + e.getMessage());
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void put(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
