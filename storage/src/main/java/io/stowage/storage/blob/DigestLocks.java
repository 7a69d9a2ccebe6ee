package io.stowage.storage.blob;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
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

    /**
     * Runs {@code work} while holding the locks of all {@code digests}, taken in one global order
     * so two batch holders cannot deadlock.
     */
    public <T, E extends Exception> T withLocks(Collection<String> digests, CheckedSupplier<T, E> work) throws E {
        TreeSet<Integer> stripes = new TreeSet<>();
        for (String digest : digests) {
            stripes.add(Math.floorMod(digest.hashCode(), STRIPES));
        }
        List<ReentrantLock> held = new ArrayList<>();
        try {
            for (int stripe : stripes) {
                locks[stripe].lock();
                held.add(locks[stripe]);
            }
            return work.get();
        } finally {
            for (int i = held.size() - 1; i >= 0; i--) {
                held.get(i).unlock();
            }
        }
    }

    /** A supplier that may throw. */
    @FunctionalInterface
    public interface CheckedSupplier<T, E extends Exception> {
        T get() throws E;
    }
}
