package io.stowage.storage.meta;

import io.stowage.storage.oci.Digest;

import java.util.List;
import java.util.Objects;

/**
 * A stored manifest row as the integrity scrub walks them ({@link MetadataStore#listManifests}): its
 * exact bytes as stored, whether it is soft-deleted, the tags that point at it now, and what it
 * references. Tombstones (rows the collector swept) are not listed: their content is gone on purpose.
 *
 * @param content  the bytes as the database holds them now, to be hashed against {@code digest}
 * @param blobs    config and layers it references (none for an index)
 * @param children child manifests it references (an index)
 */
public record ManifestEntry(String repository, Digest digest, String mediaType, byte[] content, boolean deleted,
                            List<String> tags, List<Digest> blobs, List<Digest> children) {
    public ManifestEntry {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(digest, "digest");
        tags = List.copyOf(tags);
        blobs = List.copyOf(blobs);
        children = List.copyOf(children);
    }

    /** Where the next page starts: after this entry. */
    public Cursor cursor() {
        return new Cursor(repository, digest.toString());
    }

    /** A position in the listing's order (repository name, then digest text). */
    public record Cursor(String repository, String digest) {
        public Cursor {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(digest, "digest");
        }
    }
}
