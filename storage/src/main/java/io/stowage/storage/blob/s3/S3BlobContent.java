package io.stowage.storage.blob.s3;

import io.stowage.storage.blob.BlobContent;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A stored blob in S3: its size from the {@code HEAD} that found it, and each range read as one
 * ranged {@code GET} streamed through (a fixed buffer at a time, whatever the range's length).
 * No local file, so no zero-copy. Closing the content closes every range still open.
 * Not thread-safe, like {@link BlobContent}.
 */
final class S3BlobContent implements BlobContent {

    private final S3Bucket bucket;
    private final String key;
    private final long size;
    private final List<RangeChannel> open = new ArrayList<>();
    private boolean closed;

    S3BlobContent(S3Bucket bucket, String key, long size) {
        this.bucket = bucket;
        this.key = key;
        this.size = size;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public Optional<FileChannel> fileChannel() {
        return Optional.empty();
    }

    /** The {@code GET} is sent on the first read, so a range that is never read costs no request. */
    @Override
    public ReadableByteChannel read(long offset, long length) throws IOException {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IllegalArgumentException(
                    "range offset=" + offset + " length=" + length + " outside blob of size " + size);
        }
        if (closed) {
            throw new ClosedChannelException();
        }
        RangeChannel channel = new RangeChannel(offset, length);
        open.add(channel);
        return channel;
    }

    @Override
    public void close() {
        closed = true;
        for (RangeChannel channel : open) {
            channel.close();
        }
        open.clear();
    }

    private final class RangeChannel implements ReadableByteChannel {
        private final long offset;
        private final long length;
        private long remaining;
        private ResponseInputStream<GetObjectResponse> stream;
        private boolean channelOpen = true;

        RangeChannel(long offset, long length) {
            this.offset = offset;
            this.length = length;
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
            if (stream == null) {
                stream = bucket.get(key, offset, length);
            }
            int wanted = (int) Math.min(dst.remaining(), remaining);
            if (wanted == 0) {
                return 0;
            }
            int read;
            if (dst.hasArray()) {
                read = stream.read(dst.array(), dst.arrayOffset() + dst.position(), wanted);
                if (read > 0) {
                    dst.position(dst.position() + read);
                }
            } else {
                byte[] chunk = new byte[Math.min(wanted, 64 * 1024)];
                read = stream.read(chunk);
                if (read > 0) {
                    dst.put(chunk, 0, read);
                }
            }
            if (read < 0) {
                // Ending early would look like the whole blob to a client: fail instead.
                throw new EOFException("S3 object " + key + " ended " + remaining + " bytes early");
            }
            remaining -= read;
            return read;
        }

        @Override
        public boolean isOpen() {
            return channelOpen && !closed;
        }

        /** A range left unread is aborted, not drained: the connection is dropped instead of reused. */
        @Override
        public void close() {
            channelOpen = false;
            if (stream != null) {
                if (remaining > 0) {
                    stream.abort();
                }
                try {
                    stream.close();
                } catch (IOException ignored) {
                    // nothing more to read from it either way
                }
                stream = null;
            }
        }
    }
}
