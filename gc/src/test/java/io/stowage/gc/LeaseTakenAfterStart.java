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

/**
 * The real store, except that as soon as a collector takes the lease, "replica-b" takes it over as if
 * the collector had stalled past its lease: what a collector must notice before its next batch.
 */
final class LeaseTakenAfterStart implements GcStore {
    private final GcStore store;

    LeaseTakenAfterStart(GcStore store) {
        this.store = store;
    }

    @Override
    public boolean acquireLease(String holder, String runId, Instant now, Instant until) {
        boolean taken = store.acquireLease(holder, runId, now, until);
        if (taken && !"replica-b".equals(holder)) {
            store.acquireLease("replica-b", "gc-b", until.plusSeconds(1), until.plusSeconds(61));
        }
        return taken;
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
