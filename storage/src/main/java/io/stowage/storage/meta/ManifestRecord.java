package io.stowage.storage.meta;

import io.stowage.storage.oci.Digest;

import java.util.List;
import java.util.Objects;

/**
 * A manifest as it is stored: its exact bytes and what was read from them once at push time.
 *
 * @param repository      the repository it is pushed to
 * @param digest          the digest of {@code content}
 * @param mediaType       the manifest's media type (from its {@code mediaType} field or the request)
 * @param artifactType    the artifact type for referrers (its {@code artifactType}, else its config's media type), or null
 * @param subject         the digest of its {@code subject}, or null
 * @param annotationsJson its {@code annotations} object as JSON text, or null
 * @param content         the bytes exactly as pushed
 * @param blobs           config and layer digests (for an image manifest); must be linked in the repository
 * @param children        child manifest digests (for an index); must be stored in the repository
 */
public record ManifestRecord(String repository, Digest digest, String mediaType, String artifactType,
                             Digest subject, String annotationsJson, byte[] content,
                             List<Digest> blobs, List<Digest> children) {
    public ManifestRecord {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(content, "content");
        blobs = List.copyOf(blobs);
        children = List.copyOf(children);
    }
}
