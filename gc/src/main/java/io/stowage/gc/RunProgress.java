package io.stowage.gc;

import io.stowage.storage.meta.GcRunRecord;

import java.time.Instant;

/**
 * The counters of one run as it goes, turned into a {@link GcRunRecord} on demand, and who started
 * it (for the audit log only; the store's run record has no actor). Thread-safe.
 */
final class RunProgress {
    private final String id;
    private final boolean dryRun;
    private final Instant startedAt;
    private final String actor;
    private Instant finishedAt;
    private String outcome;
    private String error;
    private long markedManifests;
    private long markedBlobs;
    private long sweptManifests;
    private long sweptBlobs;
    private long sweptBytes;

    /** @param actor who started the run, null if not known */
    RunProgress(String id, boolean dryRun, Instant startedAt, String actor) {
        this.id = id;
        this.dryRun = dryRun;
        this.startedAt = startedAt;
        this.actor = actor;
    }

    String id() {
        return id;
    }

    boolean dryRun() {
        return dryRun;
    }

    Instant startedAt() {
        return startedAt;
    }

    String actor() {
        return actor;
    }

    synchronized void marked(long manifests, long blobs) {
        markedManifests = manifests;
        markedBlobs = blobs;
    }

    synchronized void sweptManifest(long size) {
        sweptManifests++;
        sweptBytes += size;
    }

    synchronized void sweptBlob(long size) {
        sweptBlobs++;
        sweptBytes += size;
    }

    synchronized void finish(String outcome, String error, Instant at) {
        this.outcome = outcome;
        this.error = error;
        this.finishedAt = at;
    }

    synchronized GcRunRecord record() {
        return new GcRunRecord(id, dryRun, startedAt, finishedAt, outcome, markedManifests, markedBlobs,
                sweptManifests, sweptBlobs, sweptBytes, error);
    }
}
