package io.stowage.storage.meta;

import io.stowage.storage.oci.Digest;

import java.time.Instant;
import java.util.List;

/** A soft-deleted manifest: when and by whom, and the tags that pointed at it then. */
public record DeletedManifest(Digest digest, Instant deletedAt, String deletedBy, List<String> tags) {
    public DeletedManifest {
        tags = List.copyOf(tags);
    }
}
