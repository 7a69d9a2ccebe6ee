package io.stowage.gc;

import io.stowage.storage.meta.GcDeletion;
import io.stowage.storage.meta.GcLease;
import io.stowage.storage.meta.GcPause;
import io.stowage.storage.meta.GcRunRecord;
import io.stowage.storage.meta.GcSnapshot;
import io.stowage.storage.meta.GcStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The real store, except that once a sweep batch has removed blob rows, the collector waits a
 * moment before it goes on to delete their bytes, as it does on S3 where each delete is a round trip:
 * the window in which another replica's push of the same bytes used to slip in. Tells
 * {@code rowsRemoved} when the window opens.
 */
final class SlowByteDeletion implements GcStore {
    private final GcStore store;
    private final Duration pause;
    private final Runnable rowsRemoved;

    SlowByteDeletion(GcStore store, Duration pause, Runnable rowsRemoved) {
        this.store = store;
        this.pause = pause;
        this.rowsRemoved = rowsRemoved;
    }

    @Override
    public boolean acquireLease(String holder, String runId, Instant now, Instant until) {
        return store.acquireLease(holder, runId, now, until);
    }

    @Override
    public boolean renewLease(String holder, String runId, Instant until) {
        return store.renewLease(holder, runId, until);
    }

    @Override
    public void releaseLease(String holder, String runId) {
        store.releaseLease(holder, runId);
    }

    @Override
    public Optional<GcLease> lease() {
        return store.lease();
    }

    @Override
    public GcPause pauseState() {
        return store.pauseState();
    }

    @Override
    public GcPause setPaused(boolean paused, String actor, String reason, Instant at) {
        return store.setPaused(paused, actor, reason, at);
    }

    @Override
    public GcSnapshot snapshot() {
        return store.snapshot();
    }

    @Override
    public Map<GcSnapshot.Manifest, Long> removeManifestsIfCollectable(List<GcSnapshot.Manifest> batch,
                                                                      Instant retentionCutoff, Instant now) {
        return store.removeManifestsIfCollectable(batch, retentionCutoff, now);
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

    @Override
    public boolean blobKnown(String digest) {
        return store.blobKnown(digest);
    }

    @Override
    public void saveRun(GcRunRecord run) {
        store.saveRun(run);
    }

    @Override
    public void addDeletions(String runId, List<GcDeletion> deletions) {
        store.addDeletions(runId, deletions);
    }

    @Override
    public List<GcRunRecord> runs(int limit) {
        return store.runs(limit);
    }

    @Override
    public Optional<GcRunRecord> run(String id) {
        return store.run(id);
    }

    @Override
    public List<GcDeletion> deletions(String runId) {
        return store.deletions(runId);
    }
}
