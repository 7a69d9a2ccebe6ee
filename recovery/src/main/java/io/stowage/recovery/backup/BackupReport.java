package io.stowage.recovery.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * What one backup run did, as the admin API shows it: while it runs ({@code finishedAt} and
 * {@code outcome} null) and once it ended. {@code completed} means every manifest and blob of the
 * snapshot is in the layout; {@code failed} means the run stopped ({@code error}) or some content
 * could not be copied ({@code problems}, retried by the next run). Immutable.
 *
 * @param blobs          layers and configs: copied by this run, or found in the layout already
 * @param manifests      manifests (also blobs of the layout), counted the same way
 * @param bytesWritten   bytes of blobs and manifests this run copied
 * @param tags           live tags in index.json
 * @param untagged       live manifests without a tag in index.json
 * @param deleted        soft-deleted manifests in index.json
 * @param journalEvents  tag journal events this run appended to stowage/journal.jsonl
 * @param unchanged      nothing changed since the previous run, so nothing was read or written
 * @param durationMs     wall time of the run so far, in milliseconds
 */
public record BackupReport(String id, String to, String actor, Instant startedAt, Instant finishedAt, String outcome,
                           Count blobs, Count manifests, long bytesWritten, int tags, int untagged, int deleted,
                           long journalEvents, boolean indexWritten, boolean unchanged, long durationMs,
                           List<Problem> problems, String error) {
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    public BackupReport {
        problems = List.copyOf(problems);
    }

    /** Written versus already present. */
    public record Count(long written, long present) {
    }

    /**
     * Content that could not be copied.
     *
     * @param kind       {@code blob-missing}, {@code blob-corrupt}, {@code manifest-missing} or {@code manifest-corrupt}
     * @param repository the repository of the manifest that needs it
     * @param digest     the missing or corrupt digest
     */
    public record Problem(String kind, String repository, String digest, String message) {
    }

    public boolean finished() {
        return finishedAt != null;
    }

    /** RFC 3339 UTC with milliseconds, as the admin API writes times. */
    public static String time(Instant instant) {
        return instant == null ? null : TIME.format(instant);
    }
}
