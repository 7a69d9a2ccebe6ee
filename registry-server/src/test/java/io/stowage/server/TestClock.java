package io.stowage.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock a test moves by hand, to cross reload intervals, token lifetimes, cache and throttle windows. */
public final class TestClock extends Clock {
    private volatile Instant now;

    public TestClock() {
        this(Instant.parse("2026-03-01T10:00:00Z"));
    }

    public TestClock(Instant start) {
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
