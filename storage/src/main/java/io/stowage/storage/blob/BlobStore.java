package io.stowage.storage.blob;

import io.stowage.storage.oci.Digest;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The content-addressed blob store SPI: immutable bytes stored under their digest, and the
 * upload sessions that produce them. Knows nothing of repositories, tags or HTTP; the metadata
 * store says which repository may see which blob.
 *
 * <p>Invariant 1 of docs/architecture.md holds for every implementation: a blob becomes visible
 * under its digest only after its bytes were hashed while streaming in, the digest matched, and
 * the bytes are durable; a reader never sees a partial blob. Implementations are thread-safe;
 * a single {@link BlobUpload} is used by one thread at a time.
 */
public interface BlobStore extends AutoCloseable {

    /** The size of the stored blob, or empty if no blob is stored under {@code digest}. */
    Optional<Long> size(Digest digest) throws IOException;

    /** Opens a stored blob for reading, or empty if none is stored under {@code digest}. */
    Optional<BlobContent> open(Digest digest) throws IOException;

    /**
     * A URL from which a client may download the stored blob directly, for a {@code 307} redirect,
     * or empty when the store serves its bytes only through {@link #open} (the default, and the
     * filesystem store). The blob's existence and the caller's right to it are checked before; the
     * URL is not.
     */
    default Optional<URI> downloadUrl(Digest digest) throws IOException {
        return Optional.empty();
    }

    /** Starts a new upload session with a fresh, unguessable id. */
    BlobUpload startUpload() throws IOException;

    /**
     * Resumes an upload session started earlier (possibly by another process that since died),
     * or empty if there is none with that id.
     */
    Optional<BlobUpload> resumeUpload(String uploadId) throws IOException;

    /**
     * Physically deletes a stored blob. Only the garbage collector calls this, after its own
     * checks; returns false if there was nothing to delete.
     */
    boolean delete(Digest digest) throws IOException;

    /**
     * Takes a stored blob out of service without deleting it: once this returns, {@link #size},
     * {@link #open} and {@link #forEachBlob} no longer see {@code digest} (a pull gets
     * {@code BLOB_UNKNOWN}), and its bytes are kept, with {@code note}, in the store's quarantine
     * area for an operator to examine. The integrity scrub calls it for bytes that no longer hash to
     * their digest. The move is durable when this returns. A blob published under the digest
     * afterwards (a repair, a push) is stored as new.
     *
     * <p>The caller holds the digest's lock in {@link DigestLocks}, the lock under which an upload
     * checks that its published bytes are there and links them, so a push of the same digest is linked
     * either before (its bytes are then checked again by the caller) or after the move, and in that
     * case only if its own publish came after the move (otherwise it finds no bytes and fails).
     *
     * @return where the bytes went (for reports and the audit log), or empty if no blob was stored
     */
    Optional<String> quarantine(Digest digest, QuarantineNote note) throws IOException;

    /** Visits every stored blob once (for garbage collection and scrub); order unspecified. */
    void forEachBlob(Consumer<StoredBlob> visitor) throws IOException;

    /**
     * Throws if the store cannot serve now (its bucket does not answer, its directory is gone), for
     * a readiness probe: a replica that cannot reach its blobs should get no traffic. Cheap: one
     * request or one stat.
     */
    void checkReachable() throws IOException;

    /** Visits every upload session present in the store, with the time of its last write. */
    void forEachUpload(Consumer<UploadState> visitor) throws IOException;

    /** A blob as listed by {@link #forEachBlob}. */
    record StoredBlob(Digest digest, long size, Instant storedAt) {
    }

    /**
     * Why a blob was quarantined, kept next to its bytes.
     *
     * @param actualDigest what the bytes hash to now, or null when not known
     */
    record QuarantineNote(String reason, Digest actualDigest, Instant at) {
    }

    /** An upload session as listed by {@link #forEachUpload}. */
    record UploadState(String uploadId, long size, Instant lastWriteAt) {
    }

    @Override
    void close() throws IOException;
}
