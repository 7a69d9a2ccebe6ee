package io.stowage.recovery.reimport;

import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.Reference;

import java.io.IOException;
import java.io.InputStream;

/**
 * Where missing content is fetched from: an OCI image layout on disk ({@link OciLayoutSource}) or
 * another registry's pull API ({@link RegistrySource}). A source is untrusted: whatever it hands
 * out is verified against its digest by {@link VerifiedImporter} before anything is stored, so an
 * implementation only has to fetch, never to check. Implementations are used by one thread at a
 * time.
 */
public interface ContentSource extends AutoCloseable {

    /**
     * The manifest {@code reference} names in {@code repository} of the source, read whole (at most
     * {@code maxBytes}; a larger one is an error, so a hostile source cannot fill the heap).
     *
     * @throws SourceException naming why it could not be fetched ({@link SourceException#notFound()} when absent)
     */
    SourceManifest manifest(String repository, Reference reference, long maxBytes) throws SourceException;

    /** Opens the blob {@code digest} of {@code repository} as a stream; the caller closes it. */
    SourceBlob blob(String repository, Digest digest) throws SourceException;

    /** What this source is, for reports and audit records, without credentials ("layout /backups/x"). */
    String describe();

    @Override
    void close();

    /**
     * A manifest as the source sent it.
     *
     * @param mediaType the type the source declared (index.json descriptor, {@code Content-Type}), or null
     */
    record SourceManifest(byte[] content, String mediaType) {
    }

    /**
     * A blob's bytes, not yet verified.
     *
     * @param size the size the source declared ({@code Content-Length}, file size), or -1 when it said none
     */
    record SourceBlob(InputStream stream, long size) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            stream.close();
        }
    }
}
