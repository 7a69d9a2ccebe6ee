package io.stowage.recovery.scrub;

import java.time.Instant;
import java.util.List;

/**
 * One scrub run: what it was asked, how far it got, and everything it found and did. While the run
 * is under way {@code finishedAt} and {@code outcome} are null and the lists hold what was found so
 * far. Immutable.
 *
 * @param outcome      {@code completed} (every blob and manifest was checked; findings do not make
 *                     a run fail) or {@code failed} (it stopped early, {@code error} says why)
 * @param repairFrom   the repair source's description, or null when none was given
 * @param corrupt      blobs whose bytes do not hash to their digest (or cannot be read) and manifest
 *                     rows whose stored bytes do not
 * @param missing      blobs and child manifests that a manifest references and the registry does not hold
 * @param quarantined  corrupt blobs moved to quarantine in this run
 * @param repaired     blobs and manifest rows brought back by re-import in this run
 * @param repairFailed what a repair was tried for and did not come back, with why
 * @param affected     per repository and tag (or untagged manifest), the content it lacks
 */
public record ScrubReport(String id, String actor, boolean dryRun, String repairFrom, long maxBytesPerSecond,
                          Instant startedAt, Instant finishedAt, String outcome, String error,
                          long blobsChecked, long bytesHashed, long manifestsChecked,
                          List<Finding> corrupt, List<Finding> missing, List<Quarantined> quarantined,
                          List<Repair> repaired, List<Repair> repairFailed, List<Affected> affected) {
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";

    public ScrubReport {
        corrupt = List.copyOf(corrupt);
        missing = List.copyOf(missing);
        quarantined = List.copyOf(quarantined);
        repaired = List.copyOf(repaired);
        repairFailed = List.copyOf(repairFailed);
        affected = List.copyOf(affected);
    }

    public boolean finished() {
        return finishedAt != null;
    }

    /** True when nothing corrupt or missing is left unrepaired. */
    public boolean clean() {
        return affected.stream().allMatch(Affected::repaired) && repairFailed.isEmpty()
                && corrupt.size() + missing.size() <= repaired.size();
    }

    /**
     * Something wrong with one digest.
     *
     * @param kind         {@code blob} or {@code manifest}
     * @param repository   the repository of a manifest row, or of the manifest that references a missing item; null for a blob file
     * @param size         the stored size (corrupt) or the size a manifest declares (missing), -1 when not known
     * @param actualDigest what the stored bytes hash to, or null
     */
    public record Finding(String digest, String kind, String repository, long size, String actualDigest, String reason) {
    }

    /** A blob moved out of service: where its bytes are now. */
    public record Quarantined(String digest, String path, String reason) {
    }

    /** A repair of one digest: where from, or why it did not work. */
    public record Repair(String digest, String kind, String repository, String note) {
    }

    /**
     * A tag (or an untagged manifest nothing else references, {@code tag} null) whose image lacks
     * content, including what its index children lack.
     *
     * @param digest   the manifest the tag points at
     * @param deleted  the manifest is soft-deleted (its content is still kept for undelete)
     * @param repaired everything it lacked was brought back in this run
     */
    public record Affected(String repository, String tag, String digest, boolean deleted, List<String> corrupt,
                           List<String> missing, boolean repaired) {
        public Affected {
            corrupt = List.copyOf(corrupt);
            missing = List.copyOf(missing);
        }
    }
}
