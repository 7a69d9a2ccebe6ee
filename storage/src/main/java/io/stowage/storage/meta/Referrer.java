package io.stowage.storage.meta;

import io.stowage.storage.oci.Digest;

/** One entry of a referrers list: the descriptor fields of a manifest that names a subject. */
public record Referrer(Digest digest, String mediaType, long size, String artifactType, String annotationsJson) {
}
