package io.stowage.storage.meta;

import java.time.Instant;

/** An upload session in progress: which repository it belongs to, how far it got, and when it was last used. */
public record UploadSession(String uploadId, String repository, long size, Instant startedAt, Instant updatedAt) {
}
