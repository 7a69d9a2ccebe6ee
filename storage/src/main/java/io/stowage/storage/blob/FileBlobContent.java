package io.stowage.storage.blob;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.Optional;

/**
 * A stored blob opened from a local file: owns one read-only {@link FileChannel}, handed out
 * whole for zero-copy sends or as range channels that read through it.
 *
 * <p>Range channels use positional reads, so several of them (and a zero-copy transfer) can share
 * the file channel without disturbing each other's offsets; none of them loads the range into
 * memory. Closing this content closes the file channel, after which every range channel fails.
 * Not thread-safe, like {@link BlobContent}.
 */
final class FileBlobContent implements BlobContent {

    private final FileChannel file;
    private final long size;

    FileBlobContent(FileChannel file) throws IOException {
        this.file = file;
        // Blobs are immutable, so the size read once stays true for as long as the file is open.
        this.size = file.size();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public Optional<FileChannel> fileChannel() {
        return Optional.of(file);
    }

    @Override
    public ReadableByteChannel read(long offset, long length) throws IOException {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IllegalArgumentException(
                    "range offset=" + offset + " length=" + length + " outside blob of size " + size);
        }
        if (!file.isOpen()) {
            throw new ClosedChannelException();
        }
        return new RangeChannel(file, offset, length);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    /** {@code length} bytes of a file from {@code offset}, read on demand. Not thread-safe. */
    private static final class RangeChannel implements ReadableByteChannel {
        private final FileChannel file;
        private long position;
        private long remaining;
        private boolean open = true;

        RangeChannel(FileChannel file, long offset, long length) {
            this.file = file;
            this.position = offset;
            this.remaining = length;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (!isOpen()) {
                throw new ClosedChannelException();
            }
            if (remaining == 0) {
                return -1;
            }
            int wanted = (int) Math.min(dst.remaining(), remaining);
            int originalLimit = dst.limit();
            dst.limit(dst.position() + wanted);
            int read;
            try {
                read = file.read(dst, position);
            } finally {
                dst.limit(originalLimit);
            }
            if (read < 0) {
                // The file is shorter than when it was opened: a blob changed on disk. Failing is
                // better than ending the stream early, which a client would take for the whole blob.
                throw new EOFException("blob file ended " + remaining + " bytes early at offset " + position);
            }
            position += read;
            remaining -= read;
            return read;
        }

        @Override
        public boolean isOpen() {
            return open && file.isOpen();
        }

        /** Closes only this view; the file channel belongs to the content. */
        @Override
        public void close() {
            open = false;
        }
    }
}
