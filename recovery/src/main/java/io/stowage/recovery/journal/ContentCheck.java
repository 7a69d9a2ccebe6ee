package io.stowage.recovery.journal;

import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.meta.ManifestGraph;
import io.stowage.storage.meta.MetadataStore;
import io.stowage.storage.oci.Digest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds what of a manifest's content is gone: the manifest itself (its row was collected), any
 * config or layer whose bytes are no longer in the blob store, and the same for every child of an
 * index. An empty answer means a restore will pull exactly as before. Thread-safe.
 */
final class ContentCheck {
    private final MetadataStore metadata;
    private final BlobStore blobs;

    ContentCheck(MetadataStore metadata, BlobStore blobs) {
        this.metadata = metadata;
        this.blobs = blobs;
    }

    /** Digests missing for {@code digest} to be pulled completely from {@code repository}, in walk order. */
    List<String> missing(String repository, Digest digest) {
        Set<String> missing = new LinkedHashSet<>();
        walk(repository, digest, missing, new LinkedHashSet<>());
        return new ArrayList<>(missing);
    }

    private void walk(String repository, Digest digest, Set<String> missing, Set<Digest> seen) {
        if (!seen.add(digest)) {
            return;
        }
        Optional<ManifestGraph> graph = metadata.findManifestGraph(repository, digest);
        if (graph.isEmpty()) {
            missing.add(digest.toString());
            return;
        }
        for (Digest blob : graph.get().blobs()) {
            if (!stored(blob)) {
                missing.add(blob.toString());
            }
        }
        for (Digest child : graph.get().children()) {
            walk(repository, child, missing, seen);
        }
    }

    private boolean stored(Digest blob) {
        try {
            return blobs.size(blob).isPresent();
        } catch (IOException e) {
            // A store that cannot answer must not make a restore look safe.
            throw new UncheckedIOException("failed to check blob " + blob, e);
        }
    }
}
