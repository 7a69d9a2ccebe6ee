package io.stowage.storage.meta;

import io.stowage.storage.oci.Digest;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a backup reads of the metadata, in one read transaction, so that it is consistent however
 * many pushes commit meanwhile: every manifest that is not a tombstone (live or soft-deleted), the
 * live tags, and the position this state is at. Manifests that changed after the position the
 * backup asked about carry their blob references (config and layers), which it has to copy; the
 * others carry none, because an earlier run copied them.
 *
 * @param position  the position of this state; what the backup stores as its next watermark
 * @param manifests every manifest row that is not swept, ordered by repository and digest
 * @param tags      every live tag, ordered by repository and tag
 */
public record BackupSnapshot(ChangePosition position, List<Manifest> manifests, List<LiveTag> tags) {
    public BackupSnapshot {
        Objects.requireNonNull(position, "position");
        manifests = List.copyOf(manifests);
        tags = List.copyOf(tags);
    }

    /**
     * A manifest row.
     *
     * @param deletedAt when it was soft-deleted, or null while it is live
     * @param changeSeq the change counter value of its last change
     * @param changed   whether it changed after the position the snapshot was asked for
     * @param blobs     its config and layers with their sizes when {@code changed}, else empty
     */
    public record Manifest(String repository, Digest digest, String mediaType, long size, Instant deletedAt,
                           long changeSeq, boolean changed, List<BlobRef> blobs) {
        public Manifest {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(digest, "digest");
            blobs = List.copyOf(blobs);
        }
    }

    /** A blob a manifest references, with its size as recorded at upload (-1 if no blob row is left). */
    public record BlobRef(Digest digest, long size) {
    }

    /** A tag and the manifest it points at now. */
    public record LiveTag(String repository, String tag, Digest digest) {
    }
}
