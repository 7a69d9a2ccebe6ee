package io.stowage.server.http;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many streamed uploads may run at once. Each holds a worker thread's turn, an open file and
 * disk bandwidth; past the limit a client gets {@code 429} with {@code Retry-After} and tries
 * again, instead of every upload slowing to a crawl. Thread-safe.
 */
final class UploadSlots {
    private final int max;
    private final AtomicInteger inUse = new AtomicInteger();

    UploadSlots(int max) {
        this.max = max;
    }

    /** Takes a slot; false when all are taken. */
    boolean tryTake() {
        while (true) {
            int now = inUse.get();
            if (now >= max) {
                return false;
            }
            if (inUse.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    void release() {
        inUse.decrementAndGet();
    }

    int inUse() {
        return inUse.get();
    }
}
