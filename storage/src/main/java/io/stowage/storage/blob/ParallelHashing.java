package io.stowage.storage.blob;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hashes an upload's batch on another core while the upload's own thread writes the same bytes to
 * disk: a batch then costs the longer of the two instead of their sum (SHA-256 runs at about
 * 1.2 GiB/s per core, a page-cache write at 2-3). Small batches are hashed in place, where the
 * hand-over would cost more than it saves. Thread-safe.
 */
final class ParallelHashing implements AutoCloseable {
    static final int MIN_BYTES = 256 * 1024;

    private final ExecutorService pool;

    ParallelHashing(int threads) {
        AtomicInteger counter = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "blob-hash-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts adding {@code bytes} (left untouched: a view is read) to {@code hash}; done when
     * the returned future is. The caller must not change those bytes before then.
     */
    Future<?> start(RunningHash hash, ByteBuffer bytes) {
        ByteBuffer view = bytes.duplicate();
        if (view.remaining() >= MIN_BYTES) {
            try {
                return pool.submit(() -> hash.update(view));
            } catch (RejectedExecutionException closing) {
                // Hashed in place below.
            }
        }
        hash.update(view);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
