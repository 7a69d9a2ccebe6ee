package io.stowage.gc;

import io.stowage.storage.meta.GcStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The real store, except that once a sweep batch has removed blob rows, the collector waits a
 * moment before it goes on to delete their bytes, as it does on S3 where each delete is a round trip:
 * the window in which another replica's push of the same bytes used to slip in. Tells
 * {@code rowsRemoved} when the window opens.
 */
final class SlowByteDeletion extends ForwardingGcStore {
    private final Duration pause;
    private final Runnable rowsRemoved;

    SlowByteDeletion(GcStore store, Duration pause, Runnable rowsRemoved) {
        super(store);
        this.pause = pause;
        this.rowsRemoved = rowsRemoved;
    }

    @Override
    public Map<String, Long> removeBlobsIfCollectable(List<String> digests, Instant graceCutoff) {
        Map<String, Long> removed = store.removeBlobsIfCollectable(digests, graceCutoff);
        if (!removed.isEmpty()) {
            rowsRemoved.run();
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return removed;
    }
}
