package io.stowage.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;

/**
 * The writer's fastest path to a record's line, for the common record: no {@code detail}, every
 * string printable ASCII without a quote or backslash, a time between 1970 and 9999. For those
 * the canonical JSON needs no escaping, so it is put together byte by byte, with no generator,
 * formatter or digest set up per record (together about three quarters of the cost of encoding
 * through Jackson). Anything else returns null and takes {@link RecordCodec#encode}'s generic
 * path; a test holds the two to the same bytes. One instance per thread: not thread-safe.
 */
final class PlainLineEncoder {
    private static final byte[] HASH_KEY = ",\"hash\":\"".getBytes(StandardCharsets.US_ASCII);
    /** {@code ,"hash":"<64 hex digits>"}: its place is kept free while the rest is written, then filled in. */
    private static final int HASH_FIELD = HASH_KEY.length + 64 + 1;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final MessageDigest sha = RecordCodec.sha256();
    private final byte[] digest = new byte[32];
    private byte[] buffer = new byte[1024];
    private int length;
    /** False once a string of this record needed escaping: the record then takes the generic path. */
    private boolean plain;

    /** The record's line, or null when the record is not plain (see the class comment). */
    RecordCodec.Encoded encode(long seq, String replica, AuditEntry e, String prevHash) {
        if (e.detail() != null) {
            return null;
        }
        LocalDateTime time = LocalDateTime.ofEpochSecond(e.time().getEpochSecond(), e.time().getNano(), ZoneOffset.UTC);
        if (time.getYear() < 1970 || time.getYear() > 9999) {
            return null;
        }
        length = 0;
        plain = true;
        // Keys in code-point order, as the canonical form sorts them; null values are left out.
        ascii("{\"action\":\"").text(e.action()).ascii("\"");
        string("actor", e.actor());
        number("bytesIn", e.bytesIn());
        number("bytesOut", e.bytesOut());
        string("digest", e.digest());
        number("durationMs", e.durationMs());
        int hashAt = length;
        ensure(HASH_FIELD);
        length += HASH_FIELD;
        ascii(",\"kind\":\"").text(e.kind()).ascii("\"");
        string("method", e.method());
        string("path", e.path());
        ascii(",\"prevHash\":\"");
        int prevHashAt = length;
        text(prevHash).ascii("\"");
        string("reference", e.reference());
        string("remoteAddr", e.remoteAddr());
        string("replica", replica);
        string("repository", e.repository());
        string("requestId", e.requestId());
        ascii(",\"seq\":").decimal(seq);
        number("status", e.status() == null ? null : e.status().longValue());
        ascii(",\"time\":\"");
        time(time);
        ascii("\"");
        string("userAgent", e.userAgent());
        ascii("}");
        if (!plain) {
            return null;
        }

        // The hash covers the previous hash and the line without its own field.
        sha.update(buffer, prevHashAt, prevHash.length());
        sha.update(buffer, 0, hashAt);
        sha.update(buffer, hashAt + HASH_FIELD, length - hashAt - HASH_FIELD);
        try {
            sha.digest(digest, 0, digest.length);
        } catch (java.security.DigestException ex) {
            throw new IllegalStateException("SHA-256 digest of 32 bytes", ex);
        }
        System.arraycopy(HASH_KEY, 0, buffer, hashAt, HASH_KEY.length);
        int hex = hashAt + HASH_KEY.length;
        for (int i = 0; i < digest.length; i++) {
            buffer[hex + 2 * i] = HEX[(digest[i] >> 4) & 0xf];
            buffer[hex + 2 * i + 1] = HEX[digest[i] & 0xf];
        }
        buffer[hex + 64] = '"';
        String hash = new String(buffer, hex, 64, StandardCharsets.US_ASCII);
        return new RecordCodec.Encoded(new AuditRecord(seq, replica, e, prevHash, hash), Arrays.copyOf(buffer, length));
    }

    private void string(String key, String value) {
        if (value != null) {
            ascii(",\"").ascii(key).ascii("\":\"").text(value).ascii("\"");
        }
    }

    private void number(String key, Long value) {
        if (value != null) {
            ascii(",\"").ascii(key).ascii("\":").decimal(value);
        }
    }

    /**
     * Appends a value one byte per char, checking in the same pass that it needs no escaping in
     * JSON (printable ASCII, no quote or backslash); if not, the record is not plain. Null never
     * gets here (null values are left out).
     */
    private PlainLineEncoder text(String s) {
        int n = s.length();
        ensure(n);
        byte[] b = buffer;
        int at = length;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                plain = false;
                return this;
            }
            b[at + i] = (byte) c;
        }
        length = at + n;
        return this;
    }

    /** Appends a number as JSON writes it (what {@link Long#toString} gives), without making a string. */
    private PlainLineEncoder decimal(long value) {
        if (value < 0) {
            return ascii(Long.toString(value));
        }
        int width = 1;
        for (long rest = value / 10; rest > 0; rest /= 10) {
            width++;
        }
        ensure(width);
        for (int i = width - 1; i >= 0; i--) {
            buffer[length + i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        length += width;
        return this;
    }

    /** {@code yyyy-MM-ddTHH:mm:ss.SSSSSSZ}, the layout of {@link RecordCodec#TIME}. */
    private void time(LocalDateTime t) {
        digits(t.getYear(), 4);
        ascii("-");
        digits(t.getMonthValue(), 2);
        ascii("-");
        digits(t.getDayOfMonth(), 2);
        ascii("T");
        digits(t.getHour(), 2);
        ascii(":");
        digits(t.getMinute(), 2);
        ascii(":");
        digits(t.getSecond(), 2);
        ascii(".");
        digits(t.getNano() / 1000, 6);
        ascii("Z");
    }

    private void digits(int value, int width) {
        ensure(width);
        for (int i = width - 1; i >= 0; i--) {
            buffer[length + i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        length += width;
    }

    /**
     * Appends one of the encoder's own keys and punctuation, plain ASCII by construction. The deprecated
     * {@code String.getBytes(int, int, byte[], int)} keeps the low byte of each char, which for
     * ASCII is the char, and copies a compact string's bytes in one go.
     */
    @SuppressWarnings("deprecation")
    private PlainLineEncoder ascii(String s) {
        ensure(s.length());
        s.getBytes(0, s.length(), buffer, length);
        length += s.length();
        return this;
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }
}
