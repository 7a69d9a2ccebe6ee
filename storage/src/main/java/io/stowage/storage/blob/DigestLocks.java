package io.stowage.storage.blob;

import java.util.Collection;

/**
 * Per-digest mutual exclusion between what makes a blob exist for a repository (an upload's
 * check-and-link, a mount) and what removes it (the garbage collector's check-and-delete, the
 * scrub's quarantine). Without it a push could find the bytes present, the collector then delete
 * them, and the push link a blob that no longer exists.
 *
 * <p>Every process that writes the same blobs and metadata must use locks that exclude each other:
 * {@link #inProcess} for one registry process (SQLite), the PostgreSQL advisory locks of
 * {@code storage.meta.PostgresDigestLocks} for replicas sharing a database. Calls must not be nested:
 * a shared implementation holds its lock on a connection of its own, and a nested call would wait
 * for that connection's lock from another. Implementations are thread-safe.
 */
public interface DigestLocks {

    /** Runs {@code work} while holding the lock of {@code digest} (its text form). */
    <T, E extends Exception> T withLock(String digest, CheckedSupplier<T, E> work) throws E;

    /**
     * Runs {@code work} while holding the locks of all {@code digests}, taken in one global order
     * so two batch holders cannot deadlock.
     */
    <T, E extends Exception> T withLocks(Collection<String> digests, CheckedSupplier<T, E> work) throws E;

    /** Locks that exclude the threads of this process only: right when no other process writes the same blobs. */
    static DigestLocks inProcess() {
        return new StripedDigestLocks();
    }

    /** A supplier that may throw. */
    @FunctionalInterface
    interface CheckedSupplier<T, E extends Exception> {
        T get() throws E;
    }
}
