package io.stowage.storage.blob;

import io.stowage.storage.oci.Digest;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One upload session's bytes: appended in order, hashed as they arrive, and committed under
 * their digest once the client names it.
 *
 * <p>A session may be resumed by a different {@link BlobStore#resumeUpload} call than the one
 * that started it, so all state lives in the store, not in this object. Used by one thread at a
 * time; the server serialises requests for one session.
 */
public interface BlobUpload {

    String id();

    /** Bytes received so far: the offset the next append must start at. */
    long size() throws IOException;

    /**
     * Appends bytes at the end of the session and feeds them to the running hash. Writes all
     * remaining bytes of {@code bytes}. Not necessarily durable until {@link #commit}, and not
     * necessarily visible to another object of the same session until {@link #flush}.
     */
    void append(ByteBuffer bytes) throws IOException;

    /**
     * Makes everything appended so far part of the stored session, so that {@link BlobStore#resumeUpload}
     * anywhere (another object, another process, another replica) continues from here. Called once
     * per request that appended and stays open (a chunk), before its {@code 202} is sent.
     *
     * <p>The filesystem store appends straight to the session's file, so this does nothing there. A
     * remote store stages a request's bytes locally and writes them in parts of several MiB; this
     * writes what is staged, which keeps the request count per blob independent of how the server
     * happens to batch a body.
     */
    default void flush() throws IOException {
    }

    /**
     * Finishes the session: checks that the content hashes to {@code expected} (computing that
     * algorithm's hash if the running one differs), makes the bytes durable, and publishes them
     * under the digest atomically. If an identical blob already exists the session's bytes are
     * dropped and the call still succeeds. On a mismatch nothing is published, the session is
     * removed, and {@code DIGEST_INVALID} is thrown.
     *
     * @return the verified digest (equal to {@code expected}) and size
     */
    BlobUpload.Committed commit(Digest expected) throws IOException;

    /**
     * Cuts the session back to {@code size} bytes (no more than it has), discarding what a failed
     * request appended after that point, so that a request either adds its whole chunk or
     * nothing. The running hash is rebuilt from the bytes kept when next needed.
     *
     * <p>A store may support only cutting back to the size of the last {@link #flush} (the start of
     * the current request), which is all a failed request needs; other sizes then throw
     * {@link IllegalArgumentException}.
     */
    void truncate(long size) throws IOException;

    /** Discards the session and its bytes. Idempotent. */
    void cancel() throws IOException;

    /** The outcome of a successful {@link #commit}. */
    record Committed(Digest digest, long size) {
    }
}
