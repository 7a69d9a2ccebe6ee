package io.stowage.storage.registry;

import io.stowage.storage.meta.MetadataStore;

import java.time.Clock;

/**
 * Which request writes an upload session right now. A second request for a busy session is refused
 * ({@code BLOB_UPLOAD_INVALID}) instead of queued: a client never has two chunks of one upload in
 * flight, so a second writer is a confused or retrying client, and two writers would interleave
 * their bytes in one session. A hold is not bound to a thread, because one request's writes run as
 * several tasks on the worker pool.
 *
 * <p>{@link #inProcess} when one registry process owns the metadata (SQLite); {@link #leased} when
 * replicas share it (PostgreSQL), since a client may retry a {@code PATCH} on another replica while
 * the first still writes. Implementations are thread-safe.
 */
public interface UploadLocks {

    /** Takes the session for one request, or throws {@code BLOB_UPLOAD_INVALID} if another request holds it. */
    Hold lock(String uploadId);

    /** Locks in this process's memory: no database write on the hot path. */
    static UploadLocks inProcess() {
        return new InProcessUploadLocks();
    }

    /** Leases on the sessions' rows, shared by every process of the store ({@link LeasedUploadLocks}). */
    static UploadLocks leased(MetadataStore metadata, Clock clock) {
        return new LeasedUploadLocks(metadata, clock, LeasedUploadLocks.LEASE);
    }

    /** One request's hold on a session. Used by one thread at a time. */
    interface Hold {
        /** While the request writes: keeps a hold that can expire alive; {@code BLOB_UPLOAD_INVALID} if it was lost. */
        void keepAlive();

        /**
         * Before the session's state is committed (a chunk's state stored, the blob published): throws
         * {@code BLOB_UPLOAD_INVALID} if another request took the session meanwhile, and then nothing
         * may be committed.
         */
        void confirm();

        /** True once {@link #keepAlive} or {@link #confirm} found the session taken by another request. */
        boolean lost();

        /** Gives the session back. */
        void release();
    }
}
