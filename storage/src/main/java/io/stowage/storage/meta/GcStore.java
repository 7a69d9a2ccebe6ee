package io.stowage.storage.meta;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the garbage collector keeps in and asks of the metadata database: the durable pause, the
 * history of runs, a snapshot of the graph to mark, and the conditional removals of the sweep.
 *
 * <p>The removals are the safety of invariant 3: each re-checks, inside its own transaction, that
 * the manifest or blob is still unreferenced and outside its retention or grace window, so a push
 * committed after the mark can never end up pointing at something removed. Thread-safe.
 */
public interface GcStore {

    GcPause pauseState();

    /** Sets or clears the pause; durable when it returns. */
    GcPause setPaused(boolean paused, String actor, String reason, Instant at);

    /** The graph as it is now, for marking. */
    GcSnapshot snapshot();

    /**
     * Collects a manifest if, at this moment, no tag points at it, no other stored manifest has it
     * as a child, its subject (if any) is gone, no journal event since {@code retentionCutoff}
     * names it, and it was pushed (if live) or deleted (if soft-deleted) before
     * {@code retentionCutoff}. A manifest the journal ever named becomes a tombstone (bytes and
     * references kept, invisible, holding no blob, so an undelete can name what is missing);
     * any other is removed. Returns its size, or empty if it stays.
     */
    Optional<Long> removeManifestIfCollectable(long repositoryId, String digest, Instant retentionCutoff, Instant now);

    /**
     * Removes a blob's row and its repository links if, at this moment, no stored manifest
     * references it and its hold is older than {@code graceCutoff}. Returns its size, or empty if it
     * stays. The caller deletes the bytes afterwards, under the same per-digest lock.
     */
    Optional<Long> removeBlobIfCollectable(String digest, Instant graceCutoff);

    /** True when the metadata knows a blob with this digest (a file without a row is an orphan). */
    boolean blobKnown(String digest);

    void saveRun(GcRunRecord run);

    void addDeletions(String runId, List<GcDeletion> deletions);

    /** Runs, newest first. */
    List<GcRunRecord> runs(int limit);

    Optional<GcRunRecord> run(String id);

    List<GcDeletion> deletions(String runId);
}
