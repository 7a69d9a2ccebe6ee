package io.stowage.audit.index;

import org.junit.jupiter.api.Test;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RecordTimeTest {

    @Test
    void readsTheCodecLayoutAsInstantParseWould() {
        for (String text : List.of("2024-02-29T23:59:59.999999Z", "1970-01-01T00:00:00.000000Z",
                "1969-12-31T23:59:59.000001Z", "2000-03-01T12:34:56.123456Z", "9999-12-31T23:59:59.999999Z",
                "2024-06-01T00:00:00Z", "2024-06-01T00:00:00.5Z")) {
            assertEquals(Micros.floor(Instant.parse(text)), RecordTime.micros(text), text);
        }
    }

    @Test
    void refusesWhatIsNotATime() {
        for (String text : List.of("2023-02-29T00:00:00.000000Z", "2024-01-01T24:00:00.000000Z",
                "2024-01-01T00:60:00.000000Z", "2024-13-01T00:00:00.000000Z", "yesterday")) {
            assertThrows(DateTimeException.class, () -> RecordTime.micros(text), text);
        }
    }

    @Test
    void queryBoundsRoundUpToWholeMicroseconds() {
        Instant t = Instant.parse("2024-06-01T00:00:00.000001500Z");
        assertEquals(Micros.floor(t) + 1, Micros.ceil(t));
        assertEquals(Micros.floor(Instant.parse("2024-06-01T00:00:00.000002Z")), Micros.ceil(t));
        Instant exact = Instant.parse("1960-01-01T00:00:00.000002Z");
        assertEquals(Micros.floor(exact), Micros.ceil(exact));
    }
}
