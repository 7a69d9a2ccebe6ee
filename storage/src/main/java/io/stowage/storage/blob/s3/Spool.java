package io.stowage.storage.blob.s3;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The bytes of the part an upload is filling, in a local file: S3 takes a part in one request of
 * known length, while the registry receives a body in batches of whatever size the network gives.
 * At most one part long, on disk rather than in the heap, so memory does not grow with the part
 * size or the number of uploads in flight. Keeps the MD5 of its content for {@code Content-MD5},
 * which every S3-compatible server checks.
 *
 * <p>Belongs to one upload object; not thread-safe. {@link #delete} when done.
 */
final class Spool implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private MessageDigest md5 = newMd5();
    private long size;

    Spool(Path dir) throws IOException {
        this.file = Files.createTempFile(dir, "upload-", ".part");
        this.channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    Path file() {
        return file;
    }

    long size() {
        return size;
    }

    /** Writes all remaining bytes of {@code bytes}, consuming them. */
    void write(ByteBuffer bytes) throws IOException {
        md5.update(bytes.duplicate());
        while (bytes.hasRemaining()) {
            size += channel.write(bytes, size);
        }
    }

    /** Appends a stream's content (a stored tail coming back), through a small buffer. */
    void write(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            write(ByteBuffer.wrap(buffer, 0, n));
        }
    }

    /** Base64 MD5 of the content: the {@code Content-MD5} of a request that sends it. */
    String contentMd5() {
        try {
            MessageDigest copy = (MessageDigest) md5.clone();
            return Base64.getEncoder().encodeToString(copy.digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("MD5 not cloneable", e);
        }
    }

    /** Forgets the content: the part was sent. */
    void clear() throws IOException {
        channel.truncate(0);
        size = 0;
        md5 = newMd5();
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks MD5", e);
        }
    }
}
