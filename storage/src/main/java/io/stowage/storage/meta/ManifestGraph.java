package io.stowage.storage.meta;

import io.stowage.storage.oci.Digest;

import java.util.List;

/**
 * What a stored manifest (live or soft-deleted) points at, for checking that its content is all
 * still there before it is restored.
 */
public record ManifestGraph(Digest digest, boolean deleted, List<Digest> blobs, List<Digest> children) {
    public ManifestGraph {
        blobs = List.copyOf(blobs);
        children = List.copyOf(children);
    }
}
