package io.stowage.storage.meta;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Manifests read from the database kept in memory, so that a fleet pulling the same tags is
 * answered without a query and without leaving the network thread. Thread-safe; lookups never
 * block.
 *
 * <p>Correctness rests on one rule: every database write that may change what a manifest or tag
 * lookup returns runs inside {@link #fenced}. A fence empties the cache and bumps a generation
 * before and after the write, and while any fence is open nothing is served from or added to the
 * cache. A reader notes the generation before its query ({@link #readTicket}) and may add the
 * result only if no write started since, so a result read before a write can never outlive it.
 * This holds for one process owning its database (the embedded SQLite store); a store shared by
 * several processes must not use this cache, since their writes do not pass through its fences.
 *
 * <p>Bounded by total manifest bytes; a manifest bigger than {@link #MAX_ENTRY_BYTES} is never
 * cached (an index of thousands of platforms is rare and cheap enough to read).
 */
public final class ManifestCache {
    /** Manifests above this size are read from the database every time. */
    public static final int MAX_ENTRY_BYTES = 256 * 1024;

    private final long maxBytes;
    private final ConcurrentHashMap<String, StoredManifest> entries = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final Object fenceLock = new Object();
    /** Moves on when a fence opens and when it closes; guarded by {@code fenceLock}. */
    private long generation;
    private volatile int openFences;

    /** @param maxBytes the most manifest bytes held at once; 0 disables the cache */
    public ManifestCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative, was " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** The manifest of {@code tag} in {@code repository} if cached now. */
    public StoredManifest byTag(String repository, String tag) {
        return lookup(key(repository, tag));
    }

    /** The manifest {@code digest} in {@code repository} if cached now. */
    public StoredManifest byDigest(String repository, String digest) {
        return lookup(key(repository, digest));
    }

    private StoredManifest lookup(String key) {
        if (openFences > 0) {
            return null;
        }
        return entries.get(key);
    }

    /** Taken before a query whose result may be cached; -1 when nothing may be cached now. */
    public long readTicket() {
        synchronized (fenceLock) {
            return maxBytes == 0 || openFences > 0 ? -1 : generation;
        }
    }

    /** Caches what a lookup by tag read under {@code ticket}, unless a write started since. */
    public void offerByTag(long ticket, String repository, String tag, StoredManifest manifest) {
        offer(ticket, key(repository, tag), manifest);
    }

    /** Caches what a lookup by digest read under {@code ticket}, unless a write started since. */
    public void offerByDigest(long ticket, String repository, String digest, StoredManifest manifest) {
        offer(ticket, key(repository, digest), manifest);
    }

    private void offer(long ticket, String key, StoredManifest manifest) {
        int size = manifest.content().length;
        if (ticket < 0 || size > MAX_ENTRY_BYTES || size > maxBytes) {
            return;
        }
        synchronized (fenceLock) {
            if (openFences > 0 || generation != ticket) {
                return;
            }
            StoredManifest previous = entries.put(key, manifest);
            bytes.addAndGet(size - (previous == null ? 0 : previous.content().length));
            evictOverBudget();
        }
    }

    /** Drops arbitrary entries until the budget holds; hot entries come back on their next miss. */
    private void evictOverBudget() {
        Iterator<StoredManifest> it = entries.values().iterator();
        while (bytes.get() > maxBytes && it.hasNext()) {
            StoredManifest dropped = it.next();
            it.remove();
            bytes.addAndGet(-dropped.content().length);
        }
    }

    /** Runs a database write that may change manifests or tags; see the class comment. */
    public <T> T fenced(java.util.function.Supplier<T> write) {
        synchronized (fenceLock) {
            openFences++;
            generation++;
            clear();
        }
        try {
            return write.get();
        } finally {
            synchronized (fenceLock) {
                generation++;
                clear();
                openFences--;
            }
        }
    }

    private void clear() {
        entries.clear();
        bytes.set(0);
    }

    /** Manifest bytes held now, for tests and metrics. */
    public long heldBytes() {
        return bytes.get();
    }

    private static String key(String repository, String reference) {
        // A tag never contains ':' and a digest always does, so tag and digest keys cannot meet.
        return repository + '\n' + reference;
    }
}
