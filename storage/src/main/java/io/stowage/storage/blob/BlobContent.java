package io.stowage.storage.blob;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.Optional;

/**
 * An open, stored blob. The caller closes it when the response is written.
 * Not thread-safe.
 */
public interface BlobContent extends Closeable {

    long size();

    /**
     * The blob as a local file channel, when the store keeps it in a local file: the server
     * then sends it with zero copy. Empty for remote stores. The channel is owned by this
     * content and closed with it.
     */
    Optional<FileChannel> fileChannel();

    /** Reads {@code length} bytes starting at {@code offset}; the channel is closed with this content. */
    ReadableByteChannel read(long offset, long length) throws IOException;
}
