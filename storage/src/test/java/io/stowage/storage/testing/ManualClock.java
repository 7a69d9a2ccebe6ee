package io.stowage.storage.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that stands still until the test moves it, to cross grace periods, leases, retention
 * windows and token lifetimes without waiting. In storage's test jar, for every module's tests.
 */
public final class ManualClock extends Clock {
    private volatile Instant now;

    /** A clock at a fixed, arbitrary instant, for tests that only move it. */
    public ManualClock() {
        this(Instant.parse("2026-03-01T10:00:00Z"));
    }

    public ManualClock(Instant start) {
        this.now = start;
    }

    public void advance(Duration by) {
        now = now.plus(by);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
