package io.stowage.storage.blob.s3;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.List;

/**
 * What an upload session is, as stored in its {@code state} object after each flush: everything a
 * replica needs to continue it, and nothing only one replica knows. Immutable.
 *
 * @param size              bytes received: the full parts plus the tail
 * @param generation        counts flushes; names the tail object, so a new tail never overwrites
 *                          the one the stored state still points at
 * @param lastWriteAtMillis the registry clock at the last flush, for the purge of abandoned uploads
 * @param multipartId       the S3 multipart upload holding the full parts, or null before the first
 * @param parts             the full parts in order
 * @param tailKey           the object holding the bytes after the last full part, or null if none
 * @param sha256State       Bouncy Castle's encoded SHA-256 state over all {@code size} bytes
 */
record UploadSessionState(int version, long size, long generation, long lastWriteAtMillis, String multipartId,
                          List<Part> parts, String tailKey, byte[] sha256State) {

    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    UploadSessionState {
        parts = List.copyOf(parts);
    }

    /** One full part of the session's multipart upload. */
    record Part(int number, String etag, long size) {
    }

    static UploadSessionState empty(long nowMillis) {
        return new UploadSessionState(VERSION, 0, 0, nowMillis, null, List.of(), null,
                ResumableSha256.empty().encodedState());
    }

    long tailSize() {
        long inParts = 0;
        for (Part part : parts) {
            inParts += part.size();
        }
        return size - inParts;
    }

    byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode upload state", e);
        }
    }

    static UploadSessionState fromJson(byte[] json) throws IOException {
        UploadSessionState state = JSON.readValue(json, UploadSessionState.class);
        if (state.version() != VERSION) {
            throw new IOException("upload state of unknown version " + state.version());
        }
        return state;
    }
}
