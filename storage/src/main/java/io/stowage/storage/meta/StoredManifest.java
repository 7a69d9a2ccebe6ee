package io.stowage.storage.meta;

import io.stowage.storage.oci.Digest;

import java.time.Instant;

/** A manifest read back from the metadata store: its digest, media type and exact bytes. */
public record StoredManifest(Digest digest, String mediaType, byte[] content, Instant pushedAt) {
}
