package io.stowage.recovery.scrub;

/** Time that moves only when someone sleeps: pacing is checked by how long it slept, not by a wall clock. */
final class FakeTimer implements BytePacer.Timer {
    long now = 1_000_000_000L;
    long slept;

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void sleepNanos(long nanos) {
        now += nanos;
        slept += nanos;
    }
}
