package io.stowage.audit.index;

import java.time.Instant;

/**
 * Instants as epoch microseconds, the resolution of record times, so that the index compares
 * integers. Query bounds round up: a record time (whole microseconds) is at or after an instant
 * exactly when it is at or after the instant rounded up, and likewise for "before".
 */
final class Micros {

    private Micros() {
    }

    static long floor(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

    static long ceil(Instant t) {
        long micros = floor(t);
        return t.getNano() % 1000 == 0 ? micros : micros + 1;
    }
}
