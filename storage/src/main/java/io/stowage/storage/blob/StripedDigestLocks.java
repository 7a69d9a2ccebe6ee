package io.stowage.storage.blob;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link DigestLocks} among the threads of one process: digests share a fixed set of 256 locks
 * (stripes), so memory does not grow with the number of digests, at the price of two digests now and
 * then waiting for each other. Thread-safe.
 */
final class StripedDigestLocks implements DigestLocks {
    private static final int STRIPES = 256;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    StripedDigestLocks() {
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    @Override
    public <T, E extends Exception> T withLock(String digest, CheckedSupplier<T, E> work) throws E {
        ReentrantLock lock = locks[stripe(digest)];
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public <T, E extends Exception> T withLocks(Collection<String> digests, CheckedSupplier<T, E> work) throws E {
        TreeSet<Integer> stripes = new TreeSet<>();
        for (String digest : digests) {
            stripes.add(stripe(digest));
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

    private static int stripe(String digest) {
        return Math.floorMod(digest.hashCode(), STRIPES);
    }
}
