package io.stowage.storage.registry;

import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.blob.BlobUpload;
import io.stowage.storage.blob.DigestLocks;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.MetadataStore;
import io.stowage.storage.oci.Digest;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.nio.ByteBuffer;
import java.time.Clock;

/**
 * Exclusive access to one upload session for the length of one request: appends the request's
 * bytes, and either leaves the session open for the next chunk or completes it.
 *
 * <p>Holds the session's {@link UploadLocks lock} from {@link RegistryService#openUpload} until
 * {@link #close}, so two requests never write one session at once: kept alive while bytes arrive, and
 * confirmed before the session's state is committed (a chunk's end, the blob's publish), so a request
 * whose shared lock another replica took over commits nothing. Used by one thread at a time.
 */
public final class UploadWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UploadWriter.class);
    private final String repository;
    private final BlobUpload upload;
    private final BlobStore blobs;
    private final MetadataStore metadata;
    private final DigestLocks digestLocks;
    private final Clock clock;
    private final UploadLocks.Hold hold;
    private long size;
    /** Where this request's bytes start: what a failed request is cut back to. */
    private final long sizeAtOpen;
    private boolean finished;

    UploadWriter(String repository, BlobUpload upload, BlobStore blobs, MetadataStore metadata, DigestLocks digestLocks,
                 Clock clock, UploadLocks.Hold hold) throws IOException {
        this.repository = repository;
        this.upload = upload;
        this.blobs = blobs;
        this.metadata = metadata;
        this.digestLocks = digestLocks;
        this.clock = clock;
        this.hold = hold;
        this.size = upload.size();
        this.sizeAtOpen = size;
    }

    public String uploadId() {
        return upload.id();
    }

    public String repository() {
        return repository;
    }

    /** Bytes received so far. */
    public long size() {
        return size;
    }

    /**
     * Checks a chunk's {@code Content-Range} start against the session: a chunk must begin exactly
     * where the session ends, otherwise 416 and nothing is written.
     */
    public void requireChunkStartsAt(long start) {
        if (start != size) {
            throw RegistryException.rangeNotSatisfiable(
                    "chunk starts at " + start + " but the upload has " + size + " bytes", size);
        }
    }

    public void append(ByteBuffer bytes) throws IOException {
        hold.keepAlive();
        int length = bytes.remaining();
        upload.append(bytes);
        size += length;
    }

    /**
     * Ends a chunk that leaves the session open: makes its bytes resumable by any process sharing
     * the store (see {@link BlobUpload#flush}), before the client is told the new offset. If that
     * fails the chunk is taken back, so the session ends where the client's last {@code 202} said.
     */
    public void endChunk() throws IOException {
        hold.confirm();
        try {
            upload.flush();
        } catch (IOException | RuntimeException e) {
            discardAppended();
            throw e;
        }
    }

    /**
     * Takes back whatever this request appended, for a request that failed or was cut off: a
     * chunk is stored whole or not at all, so the session always ends where the client's last
     * {@code 202} said it does. Failing to cut back is logged, not thrown: the client sees the
     * session's real size in the next status or 416.
     */
    public void discardAppended() {
        // A session taken over is the other request's now: what it holds is not ours to cut.
        if (finished || hold.lost()) {
            return;
        }
        try {
            // The file, not our count: an append that failed half way may have left bytes too.
            if (upload.size() > sizeAtOpen) {
                upload.truncate(sizeAtOpen);
            }
            size = sizeAtOpen;
        } catch (IOException | RuntimeException e) {
            log.warn("could not take back the bytes of a failed request upload={} size={}", upload.id(), size, e);
        }
    }

    /**
     * Verifies the content against {@code expected}, stores it durably under that digest and
     * links it into the repository. On a digest mismatch the session is gone and
     * {@code DIGEST_INVALID} is thrown.
     */
    public BlobUpload.Committed complete(Digest expected) throws IOException {
        finished = true;
        hold.confirm();
        BlobUpload.Committed committed;
        try {
            // Outside the digest's lock: on S3 this is a copy as long as the blob is big, and the
            // lock is what a collector's batch and every push of the same digest wait for.
            committed = upload.commit(expected);
        } catch (RegistryException e) {
            if (e.code() == ErrorCode.DIGEST_INVALID) {
                metadata.deleteUpload(upload.id());
            }
            throw e;
        }
        // The bytes are linked only if they are still there under the lock: a collector (or the
        // scrub) that removed this digest between the publish and now cannot come back until the
        // link holds the blob, so a linked blob never lacks its bytes.
        return digestLocks.withLock(expected.toString(), () -> {
            if (blobs.size(committed.digest()).isEmpty()) {
                metadata.deleteUpload(upload.id());
                throw RegistryException.uploadInvalid("blob " + committed.digest()
                        + " was removed by the garbage collector or the scrub while it was being stored; push it again");
            }
            metadata.completeUpload(upload.id(), committed.digest(), committed.size());
            return committed;
        });
    }

    /**
     * Records progress so the abandoned-upload purge sees this session as alive, and releases the
     * lock. A failure to record progress is only logged: the bytes are on disk and the size is
     * read from them on the next request; at worst the session is purged a little early.
     */
    @Override
    public void close() {
        try {
            if (!finished && !hold.lost()) {
                metadata.touchUpload(upload.id(), size, clock.instant());
            }
        } catch (RuntimeException e) {
            log.warn("failed to record upload progress upload={}", upload.id(), e);
        } finally {
            hold.release();
        }
    }
}
