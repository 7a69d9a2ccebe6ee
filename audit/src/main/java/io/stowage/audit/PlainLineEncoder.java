package io.stowage.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The writer's fastest path to a record's line, for the common record: no {@code detail}, every
 * string printable ASCII without a quote or backslash, a time between 1970 and 9999. For those
 * the canonical JSON needs no escaping, so it is put together byte by byte, with no generator,
 * formatter or digest set up per record (together about three quarters of the cost of encoding
 * through Jackson). Anything else returns null and takes {@link RecordCodec#encode}'s generic
 * path; a test holds the two to the same bytes. One instance per thread: not thread-safe.
 */
final class PlainLineEncoder {
    private final MessageDigest sha = RecordCodec.sha256();
    private byte[] buffer = new byte[1024];
    private int length;

    /** The record's line, or null when the record is not plain (see the class comment). */
    RecordCodec.Encoded encode(long seq, String replica, AuditEntry e, String prevHash) {
        if (e.detail() != null || !plain(e) || !plain(prevHash) || !plain(replica)) {
            return null;
        }
        LocalDateTime time = LocalDateTime.ofEpochSecond(e.time().getEpochSecond(), e.time().getNano(), ZoneOffset.UTC);
        if (time.getYear() < 1970 || time.getYear() > 9999) {
            return null;
        }
        length = 0;
        // Keys in code-point order, as the canonical form sorts them; null values are left out.
        ascii("{\"action\":\"").ascii(e.action()).ascii("\"");
        string("actor", e.actor());
        number("bytesIn", e.bytesIn());
        number("bytesOut", e.bytesOut());
        string("digest", e.digest());
        number("durationMs", e.durationMs());
        int split = length;
        ascii(",\"kind\":\"").ascii(e.kind()).ascii("\"");
        string("method", e.method());
        string("path", e.path());
        ascii(",\"prevHash\":\"").ascii(prevHash).ascii("\"");
        string("reference", e.reference());
        string("remoteAddr", e.remoteAddr());
        string("replica", replica);
        string("repository", e.repository());
        string("requestId", e.requestId());
        ascii(",\"seq\":").ascii(Long.toString(seq));
        number("status", e.status() == null ? null : e.status().longValue());
        ascii(",\"time\":\"");
        time(time);
        ascii("\"");
        string("userAgent", e.userAgent());
        ascii("}");

        sha.update(prevHash.getBytes(StandardCharsets.US_ASCII));
        sha.update(buffer, 0, length);
        String hash = HexFormat.of().formatHex(sha.digest());
        byte[] field = (",\"hash\":\"" + hash + "\"").getBytes(StandardCharsets.US_ASCII);
        byte[] line = new byte[length + field.length];
        System.arraycopy(buffer, 0, line, 0, split);
        System.arraycopy(field, 0, line, split, field.length);
        System.arraycopy(buffer, split, line, split + field.length, length - split);
        return new RecordCodec.Encoded(new AuditRecord(seq, replica, e, prevHash, hash), line);
    }

    private static boolean plain(AuditEntry e) {
        return plain(e.kind()) && plain(e.action()) && plain(e.actor()) && plain(e.digest()) && plain(e.method())
                && plain(e.path()) && plain(e.reference()) && plain(e.remoteAddr()) && plain(e.repository())
                && plain(e.requestId()) && plain(e.userAgent());
    }

    /** Needs no escaping in JSON and is one byte per char. Null is plain (it is left out). */
    private static boolean plain(String s) {
        if (s == null) {
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private void string(String key, String value) {
        if (value != null) {
            ascii(",\"").ascii(key).ascii("\":\"").ascii(value).ascii("\"");
        }
    }

    private void number(String key, Long value) {
        if (value != null) {
            ascii(",\"").ascii(key).ascii("\":").ascii(Long.toString(value));
        }
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
     * Appends a string already checked to be ASCII ({@link #plain}). The deprecated
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
