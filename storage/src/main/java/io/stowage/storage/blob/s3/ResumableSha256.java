package io.stowage.storage.blob.s3;

import io.stowage.storage.oci.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;

import java.nio.ByteBuffer;

/**
 * A SHA-256 whose state can be written out and read back: the running hash of an upload that
 * continues on another replica. Bouncy Castle's digest encodes its chaining values, the partial
 * block and the byte count, about a hundred bytes whatever the blob's size; the JDK's cannot.
 * The price is speed: Bouncy Castle hashes in plain Java, without the JDK's SHA instructions,
 * which an upload over the network to S3 does not notice.
 *
 * <p>Not thread-safe: one upload object, used by one thread at a time, owns it.
 */
final class ResumableSha256 {

    private static final int SCRATCH = 64 * 1024;

    private final SHA256Digest digest;
    private byte[] scratch;

    private ResumableSha256(SHA256Digest digest) {
        this.digest = digest;
    }

    static ResumableSha256 empty() {
        return new ResumableSha256(new SHA256Digest());
    }

    /** Continues from a state written by {@link #encodedState}. */
    static ResumableSha256 restore(byte[] encodedState) {
        try {
            return new ResumableSha256(new SHA256Digest(encodedState));
        } catch (RuntimeException malformed) {
            throw new IllegalStateException("upload hash state is not a SHA-256 state", malformed);
        }
    }

    byte[] encodedState() {
        return digest.getEncodedState();
    }

    /** Hashes the remaining bytes of {@code bytes} without moving its position. */
    void update(ByteBuffer bytes) {
        if (bytes.hasArray()) {
            digest.update(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            return;
        }
        // A direct buffer: copied through a small array, never the whole buffer at once.
        if (scratch == null) {
            scratch = new byte[SCRATCH];
        }
        ByteBuffer view = bytes.duplicate();
        while (view.hasRemaining()) {
            int n = Math.min(scratch.length, view.remaining());
            view.get(scratch, 0, n);
            digest.update(scratch, 0, n);
        }
    }

    /** The digest of everything hashed; works on a copy, so the state stays usable. */
    Digest finish() {
        SHA256Digest copy = new SHA256Digest(digest);
        byte[] out = new byte[copy.getDigestSize()];
        copy.doFinal(out, 0);
        return Digest.fromBytes(Digest.Algorithm.SHA256, out);
    }
}
