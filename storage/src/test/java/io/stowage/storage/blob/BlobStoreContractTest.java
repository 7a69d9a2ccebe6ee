package io.stowage.storage.blob;

import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every {@link BlobStore} must have. A backend's test extends this class and says
 * how to open its store over a directory; a backend is done when this suite passes.
 *
 * <p>{@link #newStore} may be called more than once with the same directory: the second store must
 * see what the first one left (sessions and blobs, sessions as of their last {@link BlobUpload#flush}),
 * as a restarted process would.
 */
public abstract class BlobStoreContractTest {

    private static final int MIB = 1 << 20;

    @TempDir
    protected Path tempDir;

    private BlobStore store;

    /** Opens the store under test over {@code dir}; the suite closes it. */
    protected abstract BlobStore newStore(Path dir) throws IOException;

    @BeforeEach
    void openStore() throws IOException {
        store = newStore(tempDir);
    }

    @AfterEach
    void closeStore() throws IOException {
        if (store != null) { // null when newStore skipped the test (a backend that is not available here)
            store.close();
        }
    }

    protected BlobStore store() {
        return store;
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, MIB + 1})
    void committedBlobReadsBackByteForByte(int size) throws IOException {
        byte[] content = randomBytes(size, size);
        Digest digest = Digest.sha256(content);

        BlobUpload upload = store.startUpload();
        appendInChunks(upload, content, 256 * 1024 + 3);
        assertEquals(size, upload.size());
        BlobUpload.Committed committed = upload.commit(digest);

        assertEquals(new BlobUpload.Committed(digest, size), committed);
        assertEquals(Long.valueOf(size), store.size(digest).orElseThrow());
        assertArrayEquals(content, readAll(digest));
    }

    @Test
    void appendWritesExactlyTheRemainingBytesOfTheBuffer() throws IOException {
        byte[] backing = randomBytes(100, 7);
        ByteBuffer window = ByteBuffer.wrap(backing, 10, 50);
        byte[] expected = Arrays.copyOfRange(backing, 10, 60);

        BlobUpload upload = store.startUpload();
        upload.append(window);

        assertFalse(window.hasRemaining(), "append consumes the buffer");
        assertEquals(50, upload.size());
        upload.commit(Digest.sha256(expected));
        assertArrayEquals(expected, readAll(Digest.sha256(expected)));
    }

    @Test
    void chunkedAppendsContinueAcrossResumedSessions() throws IOException {
        byte[] first = randomBytes(300_000, 1);
        byte[] second = randomBytes(200_001, 2);
        byte[] whole = concat(first, second);

        String id = store.startUpload().id();
        BlobUpload firstRequest = store.resumeUpload(id).orElseThrow();
        firstRequest.append(ByteBuffer.wrap(first));
        firstRequest.flush();

        BlobUpload resumed = store.resumeUpload(id).orElseThrow();
        assertEquals(first.length, resumed.size());
        resumed.append(ByteBuffer.wrap(second));
        resumed.flush();

        BlobUpload.Committed committed = store.resumeUpload(id).orElseThrow().commit(Digest.sha256(whole));
        assertEquals(whole.length, committed.size());
        assertArrayEquals(whole, readAll(Digest.sha256(whole)));
    }

    @Test
    void committedSessionCannotBeResumed() throws IOException {
        byte[] content = randomBytes(10, 3);
        BlobUpload upload = store.startUpload();
        upload.append(ByteBuffer.wrap(content));
        upload.commit(Digest.sha256(content));

        assertTrue(store.resumeUpload(upload.id()).isEmpty());
        assertTrue(listUploads().isEmpty());
    }

    @Test
    void commitWithWrongDigestThrowsDigestInvalidAndPublishesNothing() throws IOException {
        byte[] content = randomBytes(5000, 4);
        Digest actual = Digest.sha256(content);
        Digest claimed = Digest.sha256("something else".getBytes());
        BlobUpload upload = store.startUpload();
        upload.append(ByteBuffer.wrap(content));

        RegistryException e = assertThrows(RegistryException.class, () -> upload.commit(claimed));

        assertEquals(ErrorCode.DIGEST_INVALID, e.code());
        assertTrue(e.getMessage().contains(claimed.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(actual.toString()), e.getMessage());
        assertTrue(store.size(claimed).isEmpty());
        assertTrue(store.size(actual).isEmpty());
        assertTrue(store.open(actual).isEmpty());
        assertTrue(listBlobs().isEmpty());
        assertTrue(store.resumeUpload(upload.id()).isEmpty(), "a rejected session is removed");
        assertTrue(listUploads().isEmpty());
    }

    @Test
    void sha512CommitStoresTheBlobUnderItsSha512Digest() throws IOException {
        byte[] content = randomBytes(MIB + 17, 5);
        Digest digest = Digest.of(Digest.Algorithm.SHA512, content);
        BlobUpload upload = store.startUpload();
        appendInChunks(upload, content, 100_000);

        BlobUpload.Committed committed = upload.commit(digest);

        assertEquals(digest, committed.digest());
        assertEquals(Long.valueOf(content.length), store.size(digest).orElseThrow());
        assertTrue(store.size(Digest.sha256(content)).isEmpty(), "stored under the digest named, only");
        assertArrayEquals(content, readAll(digest));
    }

    @Test
    void sha512CommitWithWrongDigestIsRejected() throws IOException {
        byte[] content = randomBytes(1000, 6);
        Digest claimed = Digest.of(Digest.Algorithm.SHA512, "other".getBytes());
        BlobUpload upload = store.startUpload();
        upload.append(ByteBuffer.wrap(content));

        RegistryException e = assertThrows(RegistryException.class, () -> upload.commit(claimed));

        assertEquals(ErrorCode.DIGEST_INVALID, e.code());
        assertTrue(e.getMessage().contains(Digest.of(Digest.Algorithm.SHA512, content).toString()));
        assertTrue(listBlobs().isEmpty());
    }

    @Test
    void concurrentCommitsOfSameContentBothSucceed() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            // Several rounds, so that the two commits really do interleave in some of them.
            for (int round = 0; round < 10; round++) {
                byte[] content = randomBytes(64 * 1024 + round, 100 + round);
                Digest digest = Digest.sha256(content);
                CountDownLatch bothReady = new CountDownLatch(2);
                List<Future<BlobUpload.Committed>> commits = new ArrayList<>();
                for (int pusher = 0; pusher < 2; pusher++) {
                    commits.add(pool.submit(() -> {
                        BlobUpload upload = store.startUpload();
                        upload.append(ByteBuffer.wrap(content));
                        bothReady.countDown();
                        bothReady.await();
                        return upload.commit(digest);
                    }));
                }
                for (Future<BlobUpload.Committed> commit : commits) {
                    assertEquals(new BlobUpload.Committed(digest, content.length), commit.get(30, TimeUnit.SECONDS));
                }
                assertArrayEquals(content, readAll(digest));
            }
            assertEquals(10, listBlobs().size(), "one copy per distinct content");
            assertTrue(listUploads().isEmpty());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void cancelRemovesTheSessionAndIsIdempotent() throws IOException {
        BlobUpload upload = store.startUpload();
        upload.append(ByteBuffer.wrap(randomBytes(1000, 8)));

        upload.cancel();
        upload.cancel();

        assertTrue(store.resumeUpload(upload.id()).isEmpty());
        assertTrue(listUploads().isEmpty());
        RegistryException e = assertThrows(RegistryException.class,
                () -> upload.append(ByteBuffer.wrap(new byte[] {1})));
        assertEquals(ErrorCode.BLOB_UPLOAD_UNKNOWN, e.code());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"../../etc", "random text", "..", "uploads", "../blobs",
            "00000000-0000-0000-0000-000000000000/../../blobs", "not-a-uuid-at-all-but-close-00000000"})
    void resumeUploadOfMalformedIdIsEmpty(String id) throws IOException {
        store.startUpload(); // something to find if the id were resolved carelessly
        assertTrue(store.resumeUpload(id).isEmpty());
    }

    @Test
    void resumeUploadOfUnknownIdIsEmpty() throws IOException {
        assertTrue(store.resumeUpload(UUID.randomUUID().toString()).isEmpty());
    }

    @Test
    void resumeUploadOfIdInAnotherCaseIsEmpty() throws IOException {
        String id = store.startUpload().id();
        assertTrue(store.resumeUpload(id.toUpperCase()).isEmpty(), "ids are matched exactly");
    }

    @Test
    void rangedReadReturnsExactlyThatSlice() throws IOException {
        byte[] content = randomBytes(10_000, 9);
        Digest digest = commit(content);

        try (BlobContent blob = store.open(digest).orElseThrow()) {
            assertEquals(content.length, blob.size());
            assertArrayEquals(Arrays.copyOfRange(content, 1234, 1234 + 5000), drain(blob.read(1234, 5000), 7));
            assertArrayEquals(Arrays.copyOfRange(content, 9990, 10_000), drain(blob.read(9990, 10), 4096));
            assertArrayEquals(new byte[0], drain(blob.read(0, 0), 16));
            assertArrayEquals(new byte[0], drain(blob.read(content.length, 0), 16));
            assertArrayEquals(content, drain(blob.read(0, content.length), 4096));
        }
    }

    @Test
    void openAndSizeOfAbsentBlobAreEmpty() throws IOException {
        Digest absent = Digest.sha256("never stored".getBytes());
        assertTrue(store.size(absent).isEmpty());
        assertTrue(store.open(absent).isEmpty());
    }

    @Test
    void deleteRemovesTheBlobAndReportsWhetherThereWasOne() throws IOException {
        byte[] content = randomBytes(2048, 10);
        Digest digest = commit(content);

        assertTrue(store.delete(digest));

        assertTrue(store.size(digest).isEmpty());
        assertTrue(store.open(digest).isEmpty());
        assertTrue(listBlobs().isEmpty());
        assertFalse(store.delete(digest));
    }

    @Test
    void deletedBlobCanBePushedAgain() throws IOException {
        byte[] content = randomBytes(2048, 11);
        Digest digest = commit(content);
        store.delete(digest);

        commit(content);

        assertArrayEquals(content, readAll(digest));
    }

    @Test
    void forEachBlobListsEveryStoredBlobOnceWithItsSize() throws IOException {
        byte[] a = randomBytes(10, 12);
        byte[] b = randomBytes(MIB, 13);
        byte[] c = randomBytes(0, 14);
        Digest sha512 = Digest.of(Digest.Algorithm.SHA512, a);
        commit(a);
        commit(b);
        commit(c);
        BlobUpload upload = store.startUpload();
        upload.append(ByteBuffer.wrap(a));
        upload.commit(sha512);
        store.startUpload().append(ByteBuffer.wrap(randomBytes(99, 15))); // in progress: not a blob

        Map<Digest, Long> expected = Map.of(
                Digest.sha256(a), 10L, Digest.sha256(b), (long) MIB, Digest.sha256(c), 0L, sha512, 10L);
        assertEquals(expected, listBlobs());
    }

    @Test
    void forEachUploadListsSessionsInProgressWithTheirSize() throws IOException {
        BlobUpload empty = store.startUpload();
        BlobUpload partial = store.startUpload();
        partial.append(ByteBuffer.wrap(randomBytes(1234, 16)));
        partial.flush();
        BlobUpload finished = store.startUpload();
        finished.append(ByteBuffer.wrap(randomBytes(5, 17)));
        finished.commit(Digest.sha256(randomBytes(5, 17)));

        assertEquals(Map.of(empty.id(), 0L, partial.id(), 1234L), listUploads());
        store.forEachUpload(state -> assertTrue(state.lastWriteAt() != null));
    }

    @Test
    void sessionSurvivesStoreRestartAndCommitsWithHashRebuiltFromStoredBytes() throws IOException {
        byte[] first = randomBytes(MIB + 5, 18);
        byte[] second = randomBytes(4321, 19);
        byte[] whole = concat(first, second);
        BlobUpload upload = store.startUpload();
        appendInChunks(upload, first, 300_000);
        upload.flush();

        store.close();
        store = newStore(tempDir);

        BlobUpload resumed = store.resumeUpload(upload.id()).orElseThrow();
        assertEquals(first.length, resumed.size());
        resumed.append(ByteBuffer.wrap(second));
        resumed.commit(Digest.sha256(whole));
        assertArrayEquals(whole, readAll(Digest.sha256(whole)));
    }

    @Test
    void blobsSurviveStoreRestart() throws IOException {
        byte[] content = randomBytes(777, 20);
        Digest digest = commit(content);

        store.close();
        store = newStore(tempDir);

        assertArrayEquals(content, readAll(digest));
    }

    // ---- helpers for this suite and the backends' own tests ----

    protected Digest commit(byte[] content) throws IOException {
        BlobUpload upload = store.startUpload();
        upload.append(ByteBuffer.wrap(content));
        return upload.commit(Digest.sha256(content)).digest();
    }

    /** Alternates heap and direct buffers so both kinds go through append. */
    protected static void appendInChunks(BlobUpload upload, byte[] content, int chunkSize) throws IOException {
        for (int offset = 0, chunk = 0; offset < content.length; offset += chunkSize, chunk++) {
            int length = Math.min(chunkSize, content.length - offset);
            ByteBuffer buffer;
            if (chunk % 2 == 0) {
                buffer = ByteBuffer.wrap(content, offset, length);
            } else {
                buffer = ByteBuffer.allocateDirect(length);
                buffer.put(content, offset, length).flip();
            }
            upload.append(buffer);
        }
    }

    protected byte[] readAll(Digest digest) throws IOException {
        try (BlobContent blob = store.open(digest).orElseThrow()) {
            return drain(blob.read(0, blob.size()), 64 * 1024);
        }
    }

    /** Reads a channel to its end through a buffer of {@code bufferSize}, as a slow consumer would. */
    protected static byte[] drain(ReadableByteChannel channel, int bufferSize) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(bufferSize);
        try (channel) {
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                out.write(buffer.array(), 0, buffer.limit());
                buffer.clear();
            }
        }
        return out.toByteArray();
    }

    protected Map<Digest, Long> listBlobs() throws IOException {
        Map<Digest, Long> blobs = new HashMap<>();
        store.forEachBlob(blob -> assertEquals(null, blobs.put(blob.digest(), blob.size()), "listed twice"));
        return blobs;
    }

    protected Map<String, Long> listUploads() throws IOException {
        Map<String, Long> uploads = new HashMap<>();
        store.forEachUpload(upload -> uploads.put(upload.uploadId(), upload.size()));
        return uploads;
    }

    protected static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    protected static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    // ---- quarantine ---------------------------------------------------------------------------

    @Test
    void quarantinedBlobIsNoLongerServedOrListedAndCanBeStoredAgain() throws IOException {
        byte[] content = randomBytes(5000, 77);
        Digest digest = commit(content);
        Digest other = commit(randomBytes(100, 78));
        BlobStore.QuarantineNote note = new BlobStore.QuarantineNote("digest mismatch", Digest.sha256(new byte[]{1}),
                java.time.Instant.parse("2026-02-03T04:05:06.789Z"));

        String where = store.quarantine(digest, note).orElseThrow();

        assertFalse(where.isBlank());
        assertTrue(store.size(digest).isEmpty());
        assertTrue(store.open(digest).isEmpty());
        assertEquals(List.of(other), List.copyOf(listBlobs().keySet()));
        assertTrue(store.quarantine(digest, note).isEmpty(), "nothing left to quarantine");

        commit(content);
        assertArrayEquals(content, readAll(digest), "a repair stores the blob as new");
        String second = store.quarantine(digest, note).orElseThrow();
        assertNotEquals(where, second, "quarantining the same digest twice keeps both copies");
    }
}
