package io.stowage.storage.blob;

import io.stowage.storage.error.RegistryException;
import io.stowage.storage.oci.Digest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * One upload session of a {@link FilesystemBlobStore}: appends to {@code uploads/<id>/data},
 * feeds the running hash, and on commit verifies and hands the file to the {@link BlobPublisher}.
 *
 * <p>Holds no state of its own beyond its id and paths: the bytes are in the data file and the
 * hash state is in the store's {@link RunningHashes}, so any object for the same id continues the
 * session. No file stays open between calls, so an abandoned session holds no descriptor.
 *
 * <p>Used by one thread at a time, as {@link BlobUpload} requires.
 */
final class FilesystemUpload implements BlobUpload {

    private static final Logger log = LoggerFactory.getLogger(FilesystemUpload.class);

    private final String id;
    private final Path dir;
    private final Path data;
    private final RunningHashes hashes;
    private final BlobPublisher publisher;
    private final EarlyWriteback writeback;
    private final ParallelHashing hashing;
    private final Clock clock;

    FilesystemUpload(String id, BlobLayout layout, RunningHashes hashes, BlobPublisher publisher,
                     EarlyWriteback writeback, ParallelHashing hashing, Clock clock) {
        this.id = id;
        this.writeback = writeback;
        this.hashing = hashing;
        this.dir = layout.uploadDir(id);
        this.data = layout.uploadData(id);
        this.hashes = hashes;
        this.publisher = publisher;
        this.clock = clock;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public long size() throws IOException {
        try {
            return Files.size(data);
        } catch (NoSuchFileException noData) {
            if (Files.isDirectory(dir)) {
                return 0; // a crash between creating the directory and its data file
            }
            throw RegistryException.uploadUnknown(id);
        }
    }

    @Override
    public void append(ByteBuffer bytes) throws IOException {
        try (FileChannel channel = openData()) {
            RunningHash hash = hashes.current(id, channel);
            // The hash covers the whole file, so where it stops is where the file ends.
            long start = hash.bytesCovered();
            // Hashed on another core while this thread writes the same bytes (a view of them).
            Future<?> hashed = hashing.start(hash, bytes);
            long position = start;
            try {
                while (bytes.hasRemaining()) {
                    position += channel.write(bytes, position);
                }
            } catch (IOException | RuntimeException e) {
                // The hash now covers bytes the file may not hold: drop it, so the next request
                // rebuilds it from the file, once the hashing is done with the buffer.
                awaitQuietly(hashed);
                hashes.forget(id);
                throw e;
            }
            await(hashed);
            writeback.written(data, start, position);
        }
        recordWriteTime();
    }

    private static void await(Future<?> hashing) throws IOException {
        try {
            hashing.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while hashing an upload");
        } catch (ExecutionException e) {
            throw new IOException("hashing an upload failed", e.getCause());
        }
    }

    private static void awaitQuietly(Future<?> hashing) {
        try {
            await(hashing);
        } catch (IOException ignored) {
            // The write's own failure is the one to report.
        }
    }

    @Override
    public Committed commit(Digest expected) throws IOException {
        Digest computed;
        long size;
        try (FileChannel channel = openData()) {
            recordWriteTime(); // becomes the blob's stored-at time; forced with the bytes
            channel.force(true);
            size = channel.size();
            if (expected.algorithm() == RunningHash.ALGORITHM) {
                computed = hashes.take(id, channel).finish();
            } else {
                hashes.forget(id);
                computed = RunningHash.digestOfFile(channel, expected.algorithm());
            }
        }
        if (!computed.equals(expected)) {
            deleteSession();
            log.info("upload rejected, digest mismatch upload={} expected={} computed={} size={}",
                    id, expected, computed, size);
            throw RegistryException.digestInvalid(
                    "digest mismatch: expected " + expected + ", computed " + computed);
        }
        boolean stored = publisher.publish(data, expected);
        removeEmptiedSession();
        log.info("blob committed digest={} size={} upload={} deduplicated={}", expected, size, id, !stored);
        return new Committed(expected, size);
    }

    @Override
    public void truncate(long size) throws IOException {
        try (FileChannel channel = openData()) {
            if (size < 0 || size > channel.size()) {
                throw new IllegalArgumentException("cannot cut upload " + id + " of " + channel.size()
                        + " bytes back to " + size);
            }
            hashes.forget(id);
            channel.truncate(size);
        }
        log.info("upload cut back after a failed request upload={} size={}", id, size);
    }

    @Override
    public void cancel() throws IOException {
        hashes.forget(id);
        if (deleteSession()) {
            log.info("upload cancelled upload={}", id);
        }
    }

    /**
     * Opens the data file for positional reads and writes. CREATE only succeeds while the session
     * directory exists, so it never resurrects a cancelled or committed session; it does adopt a
     * directory whose data file a crash kept from being created.
     */
    private FileChannel openData() throws IOException {
        try {
            return FileChannel.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.CREATE);
        } catch (NoSuchFileException noSession) {
            throw RegistryException.uploadUnknown(id);
        }
    }

    /** Stamped from the injected clock, so purge-by-age is testable and follows the registry's time. */
    private void recordWriteTime() throws IOException {
        try {
            Files.setLastModifiedTime(data, FileTime.from(clock.instant()));
        } catch (NoSuchFileException noData) {
            throw RegistryException.uploadUnknown(id);
        }
    }

    /**
     * After a successful publish the blob is safe whatever happens here; a directory that cannot be
     * removed now is an abandoned session that upload purging removes later, so the commit still
     * succeeds.
     */
    private void removeEmptiedSession() {
        try {
            deleteSession();
        } catch (IOException e) {
            log.warn("failed to remove committed upload directory upload={} error={}", id, e.toString());
        }
    }

    /** Deletes the session directory and whatever is in it; false if it was already gone. */
    private boolean deleteSession() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                Files.deleteIfExists(entry);
            }
        } catch (NoSuchFileException alreadyGone) {
            return false;
        }
        return Files.deleteIfExists(dir);
    }
}
