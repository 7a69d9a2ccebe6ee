package io.stowage.server.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts requests in flight across all connections, so a shutdown can let them finish before the
 * stores close. Thread-safe.
 */
final class ExchangeTracker {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object lock = new Object();

    void started() {
        inFlight.incrementAndGet();
    }

    void ended() {
        if (inFlight.decrementAndGet() == 0) {
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }

    int inFlight() {
        return inFlight.get();
    }

    /** Waits until no request is in flight or {@code timeout} passed; true if all finished. */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }
}
