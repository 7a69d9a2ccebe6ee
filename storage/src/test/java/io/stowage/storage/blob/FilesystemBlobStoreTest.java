package io.stowage.storage.blob;

import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract suite against the filesystem store, plus what only a filesystem can show. */
class FilesystemBlobStoreTest extends BlobStoreContractTest {

    @Override
    protected BlobStore newStore(Path dir) throws IOException {
        return new FilesystemBlobStore(dataDir(dir), Clock.systemUTC());
    }

    private static Path dataDir(Path dir) {
        return dir.resolve("data");
    }

    private Path blobsDir() {
        return dataDir(tempDir).resolve("blobs");
    }

    private Path uploadsDir() {
        return dataDir(tempDir).resolve("uploads");
    }

    @Test
    void constructionCreatesTheTree() {
        assertTrue(Files.isDirectory(blobsDir().resolve("sha256")));
        assertTrue(Files.isDirectory(blobsDir().resolve("sha512")));
        assertTrue(Files.isDirectory(uploadsDir()));
    }

    @Test
    void blobIsStoredAtAlgorithmFanOutHexPath() throws IOException {
        byte[] content = randomBytes(100, 1);
        Digest digest = commit(content);

        Path expected = blobsDir().resolve("sha256").resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
        assertArrayEquals(content, Files.readAllBytes(expected));
    }

    @Test
    void noFileAppearsUnderBlobsBeforeCommit() throws IOException {
        byte[] content = randomBytes(3 * 1024 * 1024, 2);
        BlobUpload upload = store().startUpload();
        appendInChunks(upload, content, 512 * 1024);

        assertTrue(regularFilesUnder(blobsDir()).isEmpty());
        assertEquals(List.of(uploadsDir().resolve(upload.id()).resolve("data")), regularFilesUnder(uploadsDir()));

        upload.commit(Digest.sha256(content));
        assertEquals(1, regularFilesUnder(blobsDir()).size());
        assertTrue(regularFilesUnder(uploadsDir()).isEmpty(), "commit removes the session directory");
    }

    /** Uploads past the early-writeback mark (fsyncs started while bytes still arrive) store the same bytes. */
    @Test
    void uploadsBiggerThanTheWritebackStepStoreExactlyTheirBytes() throws Exception {
        byte[] chunk = randomBytes(8 * 1024 * 1024, 9);
        int chunks = (int) (2 * EarlyWriteback.EVERY / chunk.length) + 3;
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        BlobUpload upload = store().startUpload();
        for (int i = 0; i < chunks; i++) {
            chunk[0] = (byte) i;
            sha.update(chunk);
            upload.append(java.nio.ByteBuffer.wrap(chunk));
        }
        Digest expected = Digest.parse("sha256:" + java.util.HexFormat.of().formatHex(sha.digest()));
        assertEquals(expected, upload.commit(expected).digest());
        Path stored = blobsDir().resolve("sha256").resolve(expected.hex().substring(0, 2)).resolve(expected.hex());
        assertEquals((long) chunks * chunk.length, Files.size(stored));
        assertTrue(regularFilesUnder(uploadsDir()).isEmpty());

        // A session cancelled while an early fsync may be queued leaves nothing behind either.
        BlobUpload cancelled = store().startUpload();
        for (int i = 0; i < chunks; i++) {
            cancelled.append(java.nio.ByteBuffer.wrap(chunk));
        }
        cancelled.cancel();
        assertTrue(regularFilesUnder(uploadsDir()).isEmpty());
    }

    @Test
    void readerPollingTheBlobPathNeverSeesAPartialFile() throws Exception {
        byte[] content = randomBytes(8 * 1024 * 1024, 3);
        Digest digest = Digest.sha256(content);
        Path target = blobsDir().resolve("sha256").resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong partialSightings = new AtomicLong();
        AtomicLong fullSightings = new AtomicLong();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            Future<?> polling = reader.submit(() -> {
                while (!done.get()) {
                    try {
                        long size = Files.size(target);
                        (size == content.length ? fullSightings : partialSightings).incrementAndGet();
                    } catch (IOException notThereYet) {
                        Thread.onSpinWait();
                    }
                }
            });
            BlobUpload upload = store().startUpload();
            appendInChunks(upload, content, 1024 * 1024);
            upload.commit(digest);
            // Keep polling briefly so the reader observes the published file too.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (fullSightings.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            done.set(true);
            polling.get(10, TimeUnit.SECONDS);
        } finally {
            done.set(true);
            reader.shutdownNow();
        }
        assertEquals(0, partialSightings.get());
        assertTrue(fullSightings.get() > 0);
    }

    @Test
    void committedBlobFileContentHashesToItsName() throws IOException {
        commit(randomBytes(12_345, 4));
        commit(randomBytes(1, 5));
        BlobUpload sha512 = store().startUpload();
        byte[] content = randomBytes(999, 6);
        sha512.append(ByteBuffer.wrap(content));
        sha512.commit(Digest.of(Digest.Algorithm.SHA512, content));

        List<Path> files = regularFilesUnder(blobsDir());
        assertEquals(3, files.size());
        for (Path file : files) {
            String algorithmDir = blobsDir().relativize(file).getName(0).toString();
            Digest.Algorithm algorithm = Digest.parse(algorithmDir + ":" + file.getFileName()).algorithm();
            Digest actual = Digest.of(algorithm, Files.readAllBytes(file));
            assertEquals(actual.hex(), file.getFileName().toString());
            assertEquals(actual.hex().substring(0, 2), file.getParent().getFileName().toString());
        }
    }

    @Test
    void concurrentCommitsOfSameContentBothSucceedWithOneCopy() throws Exception {
        byte[] content = randomBytes(256 * 1024, 7);
        Digest digest = Digest.sha256(content);
        int pushers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(pushers);
        try {
            CountDownLatch allReady = new CountDownLatch(pushers);
            List<Future<BlobUpload.Committed>> commits = new ArrayList<>();
            for (int i = 0; i < pushers; i++) {
                commits.add(pool.submit(() -> {
                    BlobUpload upload = store().startUpload();
                    appendInChunks(upload, content, 64 * 1024);
                    allReady.countDown();
                    allReady.await();
                    return upload.commit(digest);
                }));
            }
            for (Future<BlobUpload.Committed> commit : commits) {
                assertEquals(digest, commit.get(30, TimeUnit.SECONDS).digest());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, regularFilesUnder(blobsDir()).size());
        assertTrue(regularFilesUnder(uploadsDir()).isEmpty());
        try (Stream<Path> sessions = Files.list(uploadsDir())) {
            assertEquals(0, sessions.count(), "every session directory removed");
        }
        assertArrayEquals(content, readAll(digest));
    }

    @Test
    void rejectedCommitLeavesNoFileAnywhere() throws IOException {
        BlobUpload upload = store().startUpload();
        upload.append(ByteBuffer.wrap(randomBytes(4096, 8)));

        assertThrows(RuntimeException.class, () -> upload.commit(Digest.sha256(new byte[] {1})));

        assertTrue(regularFilesUnder(blobsDir()).isEmpty());
        assertTrue(regularFilesUnder(uploadsDir()).isEmpty());
    }

    @Test
    void hashStateIsRebuiltWhenTheDataFileGrewBehindItsBack() throws IOException {
        byte[] first = randomBytes(1000, 9);
        byte[] sneaked = randomBytes(500, 10);
        BlobUpload upload = store().startUpload();
        upload.append(ByteBuffer.wrap(first));
        // Bytes the cached hash state never saw, as a write that failed after the disk took part
        // of it would leave: the state covers fewer bytes than the file holds.
        Files.write(uploadsDir().resolve(upload.id()).resolve("data"), sneaked, StandardOpenOption.APPEND);

        byte[] whole = concat(first, sneaked);
        assertEquals(whole.length, upload.commit(Digest.sha256(whole)).size());
        assertArrayEquals(whole, readAll(Digest.sha256(whole)));
    }

    @Test
    void sessionDirectoryWithoutDataFileIsAnEmptyResumableSession() throws IOException {
        // What a crash between creating the session directory and its data file leaves.
        String id = UUID.randomUUID().toString();
        Files.createDirectory(uploadsDir().resolve(id));

        assertEquals(0L, listUploads().get(id));
        BlobUpload upload = store().resumeUpload(id).orElseThrow();
        assertEquals(0, upload.size());
        byte[] content = randomBytes(10, 11);
        upload.append(ByteBuffer.wrap(content));
        upload.commit(Digest.sha256(content));
        assertArrayEquals(content, readAll(Digest.sha256(content)));
    }

    @Test
    void resumeUploadNeverResolvesOutsideTheUploadsDirectory() throws IOException {
        Path outside = tempDir.resolve("outside");
        Files.createDirectories(outside);
        Files.write(outside.resolve("data"), new byte[] {1, 2, 3});

        assertTrue(store().resumeUpload("../../outside").isEmpty());
        assertTrue(store().resumeUpload("../blobs").isEmpty());
        assertTrue(store().resumeUpload(outside.toString()).isEmpty());
    }

    @Test
    void strayFilesUnderBlobsAreNotListed() throws IOException {
        Digest real = commit(randomBytes(10, 12));
        Path sha256 = blobsDir().resolve("sha256");
        Digest other = Digest.sha256(randomBytes(10, 13));
        Files.createDirectories(sha256.resolve("zz"));
        Files.write(sha256.resolve("zz").resolve(other.hex()), new byte[] {1});
        Files.createDirectories(sha256.resolve(other.hex().substring(0, 2)));
        Files.write(sha256.resolve(other.hex().substring(0, 2)).resolve("notes.txt"), new byte[] {1});
        String wrongFanOut = other.hex().startsWith("00") ? "01" : "00";
        Files.createDirectories(sha256.resolve(wrongFanOut));
        Files.write(sha256.resolve(wrongFanOut).resolve(other.hex()), new byte[] {1});
        Files.write(sha256.resolve(other.hex().substring(0, 2)).resolve(other.hex().toUpperCase()), new byte[] {1});
        Files.write(blobsDir().resolve("stray"), new byte[] {1});
        Files.createDirectories(uploadsDir().resolve("not-a-session"));

        assertEquals(Set.of(real), listBlobs().keySet());
        assertTrue(listUploads().isEmpty());
    }

    @Test
    void timesComeFromTheInjectedClock() throws IOException {
        Instant now = Instant.parse("2030-01-02T03:04:05Z");
        try (BlobStore clocked = new FilesystemBlobStore(tempDir.resolve("clocked"),
                Clock.fixed(now, ZoneOffset.UTC))) {
            BlobUpload inProgress = clocked.startUpload();
            inProgress.append(ByteBuffer.wrap(new byte[] {1, 2}));
            BlobUpload done = clocked.startUpload();
            done.append(ByteBuffer.wrap(new byte[] {3}));
            done.commit(Digest.sha256(new byte[] {3}));

            List<Instant> times = new ArrayList<>();
            clocked.forEachUpload(state -> times.add(state.lastWriteAt()));
            clocked.forEachBlob(blob -> times.add(blob.storedAt()));
            assertEquals(List.of(now, now), times);
        }
    }

    @Test
    void contentExposesItsFileChannelForZeroCopy() throws IOException {
        byte[] content = randomBytes(4000, 14);
        Digest digest = commit(content);

        try (BlobContent blob = store().open(digest).orElseThrow()) {
            FileChannel channel = blob.fileChannel().orElseThrow();
            assertEquals(content.length, channel.size());
            ByteBuffer middle = ByteBuffer.allocate(100);
            channel.read(middle, 2000);
            assertArrayEquals(Arrays.copyOfRange(content, 2000, 2100), middle.array());
        }
    }

    @Test
    void rangeOutsideTheBlobIsRejected() throws IOException {
        Digest digest = commit(randomBytes(100, 15));

        try (BlobContent blob = store().open(digest).orElseThrow()) {
            assertThrows(IllegalArgumentException.class, () -> blob.read(-1, 10));
            assertThrows(IllegalArgumentException.class, () -> blob.read(0, 101));
            assertThrows(IllegalArgumentException.class, () -> blob.read(95, 6));
            assertThrows(IllegalArgumentException.class, () -> blob.read(Long.MAX_VALUE, 1));
            assertThrows(IllegalArgumentException.class, () -> blob.read(1, Long.MAX_VALUE));
        }
    }

    @Test
    void closingTheContentClosesItsRangeChannels() throws IOException {
        Digest digest = commit(randomBytes(100, 16));
        BlobContent blob = store().open(digest).orElseThrow();
        ReadableByteChannel range = blob.read(0, 100);

        blob.close();

        assertFalse(range.isOpen());
        assertThrows(IOException.class, () -> range.read(ByteBuffer.allocate(10)));
    }

    private static List<Path> regularFilesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void quarantineMovesTheFileWithANoteAndDeletesNothing() throws IOException {
        byte[] content = randomBytes(3000, 31);
        Digest digest = commit(content);
        Path blobFile = blobsDir().resolve("sha256").resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
        Digest actual = Digest.sha256(new byte[]{9});

        Path moved = Path.of(store().quarantine(digest, new BlobStore.QuarantineNote("digest mismatch", actual,
                java.time.Instant.parse("2026-02-03T04:05:06.789Z"))).orElseThrow());

        assertFalse(Files.exists(blobFile));
        assertEquals(dataDir(tempDir).resolve("quarantine/sha256").resolve(digest.hex() + "-20260203T040506.789Z"), moved);
        assertArrayEquals(content, Files.readAllBytes(moved), "the bytes are kept as they were found");
        String note = Files.readString(moved.resolveSibling(moved.getFileName() + ".json"));
        assertTrue(note.contains("\"digest\" : \"" + digest + "\""), note);
        assertTrue(note.contains("\"actualDigest\" : \"" + actual + "\""), note);
        assertTrue(note.contains("\"reason\" : \"digest mismatch\""), note);
        assertTrue(note.contains("\"quarantinedAt\" : \"2026-02-03T04:05:06.789Z\""), note);
        assertTrue(note.contains("\"size\" : 3000"), note);
    }

    @Test
    void aPushOfADigestWhoseFileWasDamagedReplacesItWithTheVerifiedBytes() throws IOException {
        byte[] content = randomBytes(4000, 32);
        Digest digest = commit(content);
        Path blobFile = blobsDir().resolve("sha256").resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
        byte[] damaged = content.clone();
        damaged[100] ^= 0x01;
        Files.write(blobFile, damaged);

        commit(content);

        assertArrayEquals(content, Files.readAllBytes(blobFile));
    }
}
