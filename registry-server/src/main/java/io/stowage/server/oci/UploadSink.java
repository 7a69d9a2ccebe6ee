package io.stowage.server.oci;

import io.stowage.server.http.BodySink;
import io.stowage.server.http.Response;
import io.stowage.storage.blob.BlobUpload;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.registry.UploadWriter;

import java.nio.ByteBuffer;

/**
 * Streams one request's body into an upload session and answers for it: 202 with the new
 * offset when the session stays open (a chunk), 201 with the blob's location when it completes
 * with a digest. Owns the {@link UploadWriter} and closes it whatever happens.
 * Used by one thread at a time (the exchange serialises calls).
 */
final class UploadSink implements BodySink {
    private final UploadWriter writer;
    private final Digest completeWith;
    private final Long declaredLength;
    private long written;

    /**
     * @param completeWith   the digest to complete the upload with after this body, or null for a chunk
     * @param declaredLength the chunk length its Content-Range announced, or null
     */
    UploadSink(UploadWriter writer, Digest completeWith, Long declaredLength) {
        this.writer = writer;
        this.completeWith = completeWith;
        this.declaredLength = declaredLength;
    }

    @Override
    public void write(ByteBuffer chunk) throws Exception {
        written += chunk.remaining();
        writer.append(chunk);
    }

    @Override
    public Response finish() throws Exception {
        try {
            if (declaredLength != null && written != declaredLength) {
                writer.discardAppended();
                throw RegistryException.sizeInvalid(
                        "Content-Range announced " + declaredLength + " bytes but the body had " + written);
            }
            if (completeWith == null) {
                writer.endChunk();
                return UploadRoutes.inProgress(writer.repository(), writer.uploadId(), writer.size());
            }
            BlobUpload.Committed committed = writer.complete(completeWith);
            return UploadRoutes.created(writer.repository(), committed.digest());
        } finally {
            writer.close();
        }
    }

    /** The request failed or its client left mid-body: none of its bytes stay in the session. */
    @Override
    public void abort() {
        try {
            writer.discardAppended();
        } finally {
            writer.close();
        }
    }
}
