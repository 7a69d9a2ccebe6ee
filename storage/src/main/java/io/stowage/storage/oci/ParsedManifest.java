package io.stowage.storage.oci;

import java.util.List;

/**
 * What the registry needs to know about a manifest, read once from its bytes at push time.
 *
 * @param mediaType       the effective media type
 * @param artifactType    {@code artifactType}, or for an image manifest its config's media type; may be null
 * @param subject         the {@code subject} descriptor's digest, or null
 * @param annotationsJson the {@code annotations} object as JSON text, or null
 * @param blobs           config and layers that must exist in the repository (foreign layers excluded)
 * @param children        child manifests of an index
 */
public record ParsedManifest(String mediaType, String artifactType, Digest subject, String annotationsJson,
                             List<Digest> blobs, List<Digest> children) {
    public ParsedManifest {
        blobs = List.copyOf(blobs);
        children = List.copyOf(children);
    }
}
