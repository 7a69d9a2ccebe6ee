package io.stowage.recovery.backup;

import io.stowage.recovery.layout.OciLayout;
import io.stowage.storage.blob.BlobContent;
import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.oci.Digest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Copies content into {@code blobs/} of a layout, write-once and verified: the bytes go to a temp
 * file while they are hashed, the file is forced, and only when digest and size match is it
 * renamed to its digest's name. A corrupt source blob is therefore reported, never written under
 * its digest. The caller forces the blob directories once after a batch of copies ({@link #flush}),
 * and records nothing that depends on the copies before that. Not thread-safe (one run uses it).
 */
final class BlobCopy {
    private static final int BUFFER_BYTES = 1 << 20;

    /** What became of one copy. */
    enum Outcome { WRITTEN, PRESENT, MISSING, CORRUPT }

    /** The outcome and, for {@link Outcome#WRITTEN}, the bytes written; {@code detail} says why for a problem. */
    record Result(Outcome outcome, long bytes, String detail) {
    }

    private final Path root;
    private final Path tmpDir;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private boolean dirty;

    BlobCopy(Path root, Path tmpDir) {
        this.root = root;
        this.tmpDir = tmpDir;
    }

    /**
     * True when the layout already holds {@code digest}: the file exists (a rename published it
     * after its bytes were forced) with the expected size ({@code expectedSize} &lt; 0: unknown).
     * A file of another size is not trusted and is copied again.
     */
    boolean present(Digest digest, long expectedSize) throws IOException {
        Path target = OciLayout.blobPath(root, digest);
        if (!Files.isRegularFile(target)) {
            return false;
        }
        return expectedSize < 0 || Files.size(target) == expectedSize;
    }

    /** Copies a blob of the store unless the layout has it; {@code expectedSize} &lt; 0 when not known. */
    Result copy(BlobStore store, Digest digest, long expectedSize) throws IOException {
        if (present(digest, expectedSize)) {
            return new Result(Outcome.PRESENT, 0, null);
        }
        Optional<BlobContent> opened = store.open(digest);
        if (opened.isEmpty()) {
            return new Result(Outcome.MISSING, 0, "the blob store has no blob " + digest);
        }
        try (BlobContent content = opened.get()) {
            long size = content.size();
            if (expectedSize >= 0 && size != expectedSize) {
                return new Result(Outcome.CORRUPT, 0, "stored size " + size + " but " + expectedSize + " recorded");
            }
            Path temp = LayoutFiles.tempFile(tmpDir);
            try {
                MessageDigest hash = digest.algorithm().newMessageDigest();
                long copied = 0;
                try (ReadableByteChannel in = content.read(0, size);
                     FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    while (true) {
                        buffer.clear();
                        int read = in.read(buffer);
                        if (read < 0) {
                            break;
                        }
                        buffer.flip();
                        hash.update(buffer.duplicate());
                        while (buffer.hasRemaining()) {
                            out.write(buffer);
                        }
                        copied += read;
                    }
                    out.force(true);
                }
                Digest actual = Digest.fromBytes(digest.algorithm(), hash.digest());
                if (copied != size || !actual.equals(digest)) {
                    return new Result(Outcome.CORRUPT, 0, "the stored bytes hash to " + actual + " (" + copied + " bytes)");
                }
                publish(temp, digest);
                return new Result(Outcome.WRITTEN, copied, null);
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** Writes content held in memory (a manifest's bytes from the metadata store), verified the same way. */
    Result write(Digest digest, byte[] content) throws IOException {
        if (present(digest, content.length)) {
            return new Result(Outcome.PRESENT, 0, null);
        }
        Digest actual = Digest.of(digest.algorithm(), content);
        if (!actual.equals(digest)) {
            return new Result(Outcome.CORRUPT, 0, "the stored manifest bytes hash to " + actual);
        }
        Path temp = LayoutFiles.tempFile(tmpDir);
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(content);
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            publish(temp, digest);
            return new Result(Outcome.WRITTEN, content.length, null);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private void publish(Path temp, Digest digest) throws IOException {
        LayoutFiles.publish(temp, OciLayout.blobPath(root, digest));
        dirty = true;
    }

    /** Makes every rename since the last flush durable: one directory fsync per algorithm, not one per blob. */
    void flush() throws IOException {
        if (!dirty) {
            return;
        }
        Path blobs = root.resolve(OciLayout.BLOBS_DIR);
        try (var algorithms = Files.newDirectoryStream(blobs)) {
            for (Path algorithm : algorithms) {
                LayoutFiles.forceDirectory(algorithm);
            }
        }
        LayoutFiles.forceDirectory(blobs);
        dirty = false;
    }
}
