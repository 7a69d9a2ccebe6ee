package io.stowage.storage.blob;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Per-digest mutual exclusion between what makes a blob exist for a repository (an upload's
 * publish-and-link, a mount) and what removes it (the garbage collector's check-and-delete).
 * Without it a push could find the bytes present, the collector then delete them, and the push
 * link a blob that no longer exists. Striped: digests share a fixed set of locks. Thread-safe.
 */
public final class DigestLocks {
    private static final int STRIPES = 256;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    public DigestLocks() {
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** Runs {@code work} while holding the lock of {@code digest} (its text form). */
    public <T, E extends Exception> T withLock(String digest, CheckedSupplier<T, E> work) throws E {
        ReentrantLock lock = locks[Math.floorMod(digest.hashCode(), STRIPES)];
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /** A supplier that may throw. */
    @FunctionalInterface
    public interface CheckedSupplier<T, E extends Exception> {
        T get() throws E;
    }
}
