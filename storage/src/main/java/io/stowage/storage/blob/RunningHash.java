package io.stowage.storage.blob;

import io.stowage.storage.oci.Digest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;

/**
 * The SHA-256 state of one upload session and the number of bytes it has seen. The count is kept
 * next to the state so a session can tell that the state no longer describes its data file (a
 * write that failed half way, a file changed behind our back) and rebuild it from the file.
 *
 * <p>Also computes a digest over a whole file, streaming with a fixed buffer, so heap use does not
 * depend on the file's size.
 *
 * <p>Thread-safe: a session is used by one thread at a time, but consecutive requests of a session
 * may run on different threads, so the methods synchronise to hand the state over safely.
 */
final class RunningHash {

    /** The algorithm hashed while streaming: the one nearly every client names. */
    static final Digest.Algorithm ALGORITHM = Digest.Algorithm.SHA256;

    private static final int READ_BUFFER_SIZE = 1 << 20;

    private final MessageDigest state;
    private long bytesCovered;

    private RunningHash(MessageDigest state, long bytesCovered) {
        this.state = state;
        this.bytesCovered = bytesCovered;
    }

    /** The state of a session with no bytes yet. */
    static RunningHash empty() {
        return new RunningHash(ALGORITHM.newMessageDigest(), 0);
    }

    /** Rebuilds the state by reading the file once from its start. */
    static RunningHash ofFile(FileChannel file) throws IOException {
        MessageDigest state = ALGORITHM.newMessageDigest();
        long covered = feed(file, state);
        return new RunningHash(state, covered);
    }

    /** The digest of the file's whole content with {@code algorithm}. */
    static Digest digestOfFile(FileChannel file, Digest.Algorithm algorithm) throws IOException {
        MessageDigest state = algorithm.newMessageDigest();
        feed(file, state);
        return Digest.fromBytes(algorithm, state.digest());
    }

    synchronized long bytesCovered() {
        return bytesCovered;
    }

    /** Hashes the remaining bytes of {@code bytes}, consuming them. */
    synchronized void update(ByteBuffer bytes) {
        long length = bytes.remaining();
        state.update(bytes);
        bytesCovered += length;
    }

    /** Finishes the hash; the state is spent afterwards, so call it once, on a state no one else holds. */
    synchronized Digest finish() {
        return Digest.fromBytes(ALGORITHM, state.digest());
    }

    /** Positional reads, so the channel's own position (shared with writers) is left alone. */
    private static long feed(FileChannel file, MessageDigest state) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER_SIZE);
        long position = 0;
        while (true) {
            buffer.clear();
            int read = file.read(buffer, position);
            if (read < 0) {
                return position;
            }
            buffer.flip();
            state.update(buffer);
            position += read;
        }
    }
}
