package io.stowage.gc;

import io.stowage.storage.meta.GcDeletion;
import io.stowage.storage.meta.GcLease;
import io.stowage.storage.meta.GcPause;
import io.stowage.storage.meta.GcRunRecord;
import io.stowage.storage.meta.GcSnapshot;
import io.stowage.storage.meta.GcStore;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A {@link GcStore} that passes every call to the real one: tests override the one call they bend. */
abstract class ForwardingGcStore implements GcStore {
    protected final GcStore store;

    ForwardingGcStore(GcStore store) {
        this.store = store;
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
        return store.removeBlobsIfCollectable(digests, graceCutoff);
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
