package io.stowage.storage.meta;

import java.time.Instant;
import java.util.List;
import java.util.Map;
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

    /**
     * Takes the collection lease for {@code runId} of {@code holder} until {@code until}, if nobody
     * holds it, {@code holder} does, or its holder's lease expired before {@code now}. One
     * conditional update: of replicas asking at once, exactly one gets it.
     */
    boolean acquireLease(String holder, String runId, Instant now, Instant until);

    /** Extends the lease of {@code runId} to {@code until}; false if another replica holds it now. */
    boolean renewLease(String holder, String runId, Instant until);

    /** Gives the lease of {@code runId} back; nothing if another replica holds it now. */
    void releaseLease(String holder, String runId);

    /** The lease as it stands, or empty if nobody holds it. */
    Optional<GcLease> lease();

    /** The graph as it is now, for marking. */
    GcSnapshot snapshot();

    /**
     * Collects, in one transaction, each manifest of the batch that at this moment: no tag points
     * at, no other stored manifest has as a child, whose subject (if any) is gone, that no journal
     * event since {@code retentionCutoff} names, and that was pushed (if live) or deleted (if
     * soft-deleted) before {@code retentionCutoff}. A manifest the journal ever named becomes a
     * tombstone (bytes and references kept, invisible, holding no blob, so an undelete can name
     * what is missing); any other is removed. Returns the collected ones with their sizes.
     */
    Map<GcSnapshot.Manifest, Long> removeManifestsIfCollectable(List<GcSnapshot.Manifest> batch, Instant retentionCutoff,
                                                              Instant now);

    /**
     * Removes, in one transaction, the row and repository links of each blob of the batch that at
     * this moment no stored manifest references and whose hold is older than {@code graceCutoff}.
     * Returns the removed digests with their sizes. The caller holds the digests' locks and deletes
     * the bytes afterwards, still under them.
     */
    Map<String, Long> removeBlobsIfCollectable(List<String> digests, Instant graceCutoff);

    /** True when the metadata knows a blob with this digest (a file without a row is an orphan). */
    boolean blobKnown(String digest);

    void saveRun(GcRunRecord run);

    void addDeletions(String runId, List<GcDeletion> deletions);

    /** Runs, newest first. */
    List<GcRunRecord> runs(int limit);

    Optional<GcRunRecord> run(String id);

    List<GcDeletion> deletions(String runId);
}
