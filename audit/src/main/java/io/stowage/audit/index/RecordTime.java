package io.stowage.audit.index;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Reads a record's {@code time} as epoch microseconds. The codec always writes
 * {@code yyyy-MM-ddTHH:mm:ss.SSSSSSZ}; reading that fixed layout directly takes a fraction of
 * {@link Instant#parse}, which was a large share of indexing a record. Anything else still goes
 * through {@link Instant#parse}, so no valid time is refused.
 */
final class RecordTime {
    private static final String LAYOUT = "dddd-dd-ddTdd:dd:dd.ddddddZ";

    private RecordTime() {
    }

    /** @throws DateTimeException when the text is not an ISO-8601 instant */
    static long micros(String text) {
        if (!matchesLayout(text)) {
            return Micros.floor(Instant.parse(text));
        }
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if (hour > 23 || minute > 59 || second > 59) {
            throw new DateTimeException("not a valid time: " + text);
        }
        long day = LocalDate.of(digits(text, 0, 4), digits(text, 5, 2), digits(text, 8, 2)).toEpochDay();
        long seconds = day * 86_400 + hour * 3_600L + minute * 60L + second;
        return seconds * 1_000_000 + digits(text, 20, 6);
    }

    private static boolean matchesLayout(String text) {
        if (text.length() != LAYOUT.length()) {
            return false;
        }
        for (int i = 0; i < LAYOUT.length(); i++) {
            char expected = LAYOUT.charAt(i);
            char c = text.charAt(i);
            if (expected == 'd' ? c < '0' || c > '9' : c != expected) {
                return false;
            }
        }
        return true;
    }

    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            value = value * 10 + (text.charAt(i) - '0');
        }
        return value;
    }
}
