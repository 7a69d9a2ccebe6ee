package io.stowage.storage.blob;

import io.stowage.storage.error.BackendUnavailableException;
import io.stowage.storage.oci.Digest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The default {@link BlobStore}: committed blobs and in-progress uploads as files under one data
 * directory, so that publishing a blob is a rename within a single filesystem.
 *
 * <pre>
 * &lt;root&gt;/
 *   blobs/                         committed blobs, immutable once present
 *     sha256/
 *       ab/                        first two hex digits of the digest (fan-out)
 *         abcdef0123...            the blob's bytes, named by the digest's full hex
 *     sha512/
 *       9f/
 *         9f86d0...
 *   uploads/                       in-progress upload sessions
 *     &lt;uuid&gt;/                       one per session; the id is a random UUID
 *       data                       the bytes received so far, in order
 *   quarantine/                    blobs taken out of service by the integrity scrub, never deleted
 *     sha256/
 *       abcdef0123...-&lt;time&gt;       the bytes as they were found
 *       abcdef0123...-&lt;time&gt;.json  why, when, and what they hash to ({@link QuarantineArea})
 * </pre>
 *
 * <p>A commit forces {@code uploads/<uuid>/data}, checks its digest, renames it atomically to its
 * place under {@code blobs/} and forces the directories involved (see {@link BlobPublisher}), so a
 * reader never sees partial bytes under a blob path and an acknowledged blob survives a crash.
 * Uploads live under the same root as the blobs precisely so that this rename never crosses a
 * filesystem. Bytes are hashed with SHA-256 as they arrive; the state is cached per session in
 * {@link RunningHashes} and rebuilt from the data file when missing. Nothing here holds a blob or
 * an upload in memory, whatever its size.
 *
 * <p>The store owns the directories above and its in-memory hash states; the files in them are
 * only written through it. The last-write time of an upload and the stored-at time of a blob come
 * from the injected {@link Clock} (written as the files' modification times).
 *
 * <p>Thread-safe. Different upload sessions run concurrently and may commit the same digest at the
 * same time; one session is used by one thread at a time.
 */
public final class FilesystemBlobStore implements BlobStore {

    private static final Logger log = LoggerFactory.getLogger(FilesystemBlobStore.class);

    private final BlobLayout layout;
    private final Clock clock;
    private final RunningHashes hashes = new RunningHashes();
    private final EarlyWriteback writeback = new EarlyWriteback();
    private final ParallelHashing hashing = new ParallelHashing(Runtime.getRuntime().availableProcessors());
    private final BlobPublisher publisher;
    private final QuarantineArea quarantine;

    /** Opens the store over {@code root}, creating the directory tree (durably) where missing. */
    public FilesystemBlobStore(Path root, Clock clock) throws IOException {
        this.layout = new BlobLayout(Objects.requireNonNull(root, "root"));
        this.clock = Objects.requireNonNull(clock, "clock");
        this.publisher = new BlobPublisher(layout);
        this.quarantine = new QuarantineArea(layout, publisher);
        createTree();
        log.info("blob store opened root={}", layout.root());
    }

    private void createTree() throws IOException {
        Path root = layout.root();
        if (!Files.isDirectory(root)) {
            Files.createDirectories(root);
            Durability.forceDirectory(root.getParent());
        }
        Durability.createDirectory(layout.blobsDir());
        for (Digest.Algorithm algorithm : Digest.Algorithm.values()) {
            Durability.createDirectory(layout.algorithmDir(algorithm));
        }
        Durability.createDirectory(layout.uploadsDir());
    }

    @Override
    public Optional<Long> size(Digest digest) throws IOException {
        return attributesOf(layout.blobFile(digest))
                .filter(BasicFileAttributes::isRegularFile)
                .map(BasicFileAttributes::size);
    }

    @Override
    public Optional<BlobContent> open(Digest digest) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(layout.blobFile(digest), StandardOpenOption.READ);
        } catch (NoSuchFileException notStored) {
            return Optional.empty();
        }
        try {
            return Optional.of(new FileBlobContent(channel));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public BlobUpload startUpload() throws IOException {
        String id = UUID.randomUUID().toString();
        Files.createDirectory(layout.uploadDir(id));
        Path data = Files.createFile(layout.uploadData(id));
        Files.setLastModifiedTime(data, FileTime.from(clock.instant()));
        hashes.start(id);
        log.debug("upload started upload={}", id);
        return newUpload(id);
    }

    /** Ids are checked against the UUID grammar before any path is built, so {@code ../x} finds nothing. */
    @Override
    public Optional<BlobUpload> resumeUpload(String uploadId) {
        if (!BlobLayout.isUploadId(uploadId) || !Files.isDirectory(layout.uploadDir(uploadId))) {
            return Optional.empty();
        }
        return Optional.of(newUpload(uploadId));
    }

    private BlobUpload newUpload(String id) {
        return new FilesystemUpload(id, layout, hashes, publisher, writeback, hashing, clock);
    }

    /**
     * The directory entry is removed without forcing the directory: if a crash brings the blob
     * back, it is an unreferenced blob that the next collection removes again.
     */
    @Override
    public boolean delete(Digest digest) throws IOException {
        boolean deleted = Files.deleteIfExists(layout.blobFile(digest));
        if (deleted) {
            log.debug("blob deleted digest={}", digest);
        }
        return deleted;
    }

    @Override
    public Optional<String> quarantine(Digest digest, QuarantineNote note) throws IOException {
        Optional<String> where = quarantine.quarantine(digest, note);
        where.ifPresent(path -> log.warn("blob quarantined digest={} path={} reason={}", digest, path, note.reason()));
        return where;
    }

    @Override
    public void forEachBlob(Consumer<StoredBlob> visitor) throws IOException {
        for (Digest.Algorithm algorithm : Digest.Algorithm.values()) {
            forEachEntry(layout.algorithmDir(algorithm), fanOut -> {
                String fanOutName = fanOut.getFileName().toString();
                if (BlobLayout.isFanOutDir(fanOutName) && Files.isDirectory(fanOut)) {
                    forEachEntry(fanOut, file -> visitBlob(algorithm, fanOutName, file, visitor));
                }
            });
        }
    }

    private void visitBlob(Digest.Algorithm algorithm, String fanOut, Path file, Consumer<StoredBlob> visitor)
            throws IOException {
        Optional<Digest> digest = BlobLayout.digestOf(algorithm, fanOut, file.getFileName().toString());
        if (digest.isEmpty()) {
            return;
        }
        Optional<BasicFileAttributes> attributes = attributesOf(file).filter(BasicFileAttributes::isRegularFile);
        attributes.ifPresent(a -> visitor.accept(
                new StoredBlob(digest.get(), a.size(), a.lastModifiedTime().toInstant())));
    }

    @Override
    public void checkReachable() throws IOException {
        // A lost mount or a removed data directory, not a full disk: a full disk still serves pulls.
        if (!Files.isDirectory(layout.root())) {
            throw new BackendUnavailableException(BackendUnavailableException.OBJECT_STORE,
                    "blob directory " + layout.root() + " is missing", null);
        }
    }

    @Override
    public void forEachUpload(Consumer<UploadState> visitor) throws IOException {
        forEachEntry(layout.uploadsDir(), dir -> {
            String id = dir.getFileName().toString();
            if (!BlobLayout.isUploadId(id)) {
                return;
            }
            Optional<BasicFileAttributes> data = attributesOf(layout.uploadData(id));
            if (data.isPresent()) {
                visitor.accept(new UploadState(id, data.get().size(), data.get().lastModifiedTime().toInstant()));
                return;
            }
            // A directory without its data file (a crash during startUpload) is listed too, as an
            // empty session, so that purging abandoned uploads removes it.
            attributesOf(dir).filter(BasicFileAttributes::isDirectory).ifPresent(a ->
                    visitor.accept(new UploadState(id, 0, a.lastModifiedTime().toInstant())));
        });
    }

    /** Forgets the in-memory hash states; sessions on disk stay resumable by a new store. */
    @Override
    public void close() {
        writeback.close();
        hashing.close();
        hashes.clear();
        publisher.forgetDirectories();
        log.info("blob store closed root={}", layout.root());
    }

    /** Streams a directory's entries (never the whole listing in memory); a missing directory has none. */
    private static void forEachEntry(Path dir, EntryVisitor visitor) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                visitor.visit(entry);
            }
        } catch (NoSuchFileException removedMeanwhile) {
            // nothing to visit
        }
    }

    /** Empty when the file does not exist, e.g. deleted between listing and reading its attributes. */
    private static Optional<BasicFileAttributes> attributesOf(Path path) throws IOException {
        try {
            return Optional.of(Files.readAttributes(path, BasicFileAttributes.class));
        } catch (NoSuchFileException absent) {
            return Optional.empty();
        }
    }

    @FunctionalInterface
    private interface EntryVisitor {
        void visit(Path entry) throws IOException;
    }
}
