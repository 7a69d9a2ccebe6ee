package io.stowage.storage.meta;

import java.util.List;
import java.util.Set;

/**
 * The graph the collector marks, read in one transaction: every manifest row, which are tagged,
 * what each references, which digests the journal named recently, and every blob row.
 * Manifests are identified by {@code repositoryId + ":" + digest} ({@link #key}).
 */
public record GcSnapshot(List<Manifest> manifests, Set<String> tagged, List<Edge> edges, List<JournalMention> mentions,
                         List<Blob> blobs) {

    public static String key(long repositoryId, String digest) {
        return repositoryId + ":" + digest;
    }

    /** A manifest row: live ({@code deletedAt} null) or soft-deleted. Times in epoch millis. */
    public record Manifest(long repositoryId, String repository, String digest, long size, long pushedAt, Long deletedAt,
                           String subject) {
        public String key() {
            return GcSnapshot.key(repositoryId, digest);
        }
    }

    /** A reference from a manifest to a blob ({@code blob}) or a child manifest ({@code manifest}). */
    public record Edge(long repositoryId, String manifest, String referenced, String kind) {
    }

    /** The latest time a journal event named a digest of a repository (as digest or previous digest). */
    public record JournalMention(long repositoryId, String digest, long at) {
    }

    /** A blob row: its size and the time of its last hold. */
    public record Blob(String digest, long size, long heldAt) {
    }
}
