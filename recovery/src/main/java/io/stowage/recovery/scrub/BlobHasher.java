package io.stowage.recovery.scrub;

import io.stowage.storage.blob.BlobContent;
import io.stowage.storage.oci.Digest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.security.MessageDigest;

/**
 * Hashes a stored blob by streaming it through a fixed buffer (heap use does not grow with the
 * blob), asking the {@link BytePacer} before each chunk is read, so the read itself is what is
 * paced. Reads through {@link BlobContent#read}, which every blob store offers. Used by one thread.
 */
final class BlobHasher {
    static final int CHUNK = 1 << 20;

    private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK);

    /** What the content hashes to with {@code algorithm}; an I/O error (a short or unreadable file) is thrown. */
    Digest hash(BlobContent content, Digest.Algorithm algorithm, BytePacer pacer) throws IOException, InterruptedException {
        MessageDigest state = algorithm.newMessageDigest();
        long remaining = content.size();
        try (ReadableByteChannel channel = content.read(0, remaining)) {
            while (remaining > 0) {
                int want = (int) Math.min(CHUNK, remaining);
                pacer.acquire(want);
                buffer.clear().limit(want);
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer) < 0) {
                        throw new IOException("blob ended " + (remaining - buffer.position()) + " bytes early");
                    }
                }
                buffer.flip();
                state.update(buffer);
                remaining -= want;
            }
        }
        return Digest.fromBytes(algorithm, state.digest());
    }
}
