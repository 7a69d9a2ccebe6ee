package io.stowage.storage.blob.s3;

import io.stowage.storage.blob.BlobContent;
import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.blob.BlobUpload;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What only the S3 store has: replicas sharing sessions, parts, copy-on-commit, presigned URLs. */
class S3UploadTest {

    private static final int MIB = 1 << 20;
    private static final int PART = (int) S3Settings.MIN_PART_SIZE;

    private static S3ProxyServer server;
    private static S3Client raw;

    @TempDir
    Path tempDir;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.start();
        raw = S3Clients.client(server.settings(""));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (raw != null) {
            raw.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private String prefix() {
        return "u/" + tempDir.getFileName() + "/";
    }

    /** A store as one replica would open it: same bucket and prefix, a spool directory of its own. */
    private S3BlobStore replica(String name) throws IOException {
        return new S3BlobStore(server.settings(prefix(), tempDir.resolve(name)), Clock.systemUTC());
    }

    @Test
    void chunkedUploadMovesBetweenReplicasAndCommitsTheRightDigest() throws IOException {
        byte[] first = randomBytes(PART + 2 * MIB + 3, 1);  // one full part and a tail
        byte[] second = randomBytes(2 * PART + 17, 2);       // completes that part, two more, a new tail
        byte[] third = randomBytes(123, 3);
        byte[] whole = concat(concat(first, second), third);
        try (S3BlobStore a = replica("a"); S3BlobStore b = replica("b")) {
            String id = a.startUpload().id();

            BlobUpload onA = a.resumeUpload(id).orElseThrow();
            appendInChunks(onA, first, 700_001);
            onA.flush();

            BlobUpload onB = b.resumeUpload(id).orElseThrow();
            assertEquals(first.length, onB.size(), "replica B sees replica A's chunk");
            appendInChunks(onB, second, 1_000_003);
            onB.flush();

            BlobUpload backOnA = a.resumeUpload(id).orElseThrow();
            assertEquals(first.length + second.length, backOnA.size());
            backOnA.append(ByteBuffer.wrap(third));
            BlobUpload.Committed committed = backOnA.commit(Digest.sha256(whole));

            assertEquals(new BlobUpload.Committed(Digest.sha256(whole), whole.length), committed);
            assertArrayEquals(whole, readAll(b, Digest.sha256(whole)), "the blob reads back on the other replica");
            assertTrue(keysUnder(prefix() + "uploads/").isEmpty(), "the session's objects are gone");
        }
    }

    @Test
    void replicasWithDifferentPartSizesContinueEachOthersSessions() throws IOException {
        byte[] first = randomBytes(7 * MIB, 14);   // a tail of 7 MiB under 8 MiB parts
        byte[] second = randomBytes(6 * MIB + 1, 15);
        byte[] whole = concat(first, second);
        S3Settings small = server.settings(prefix(), tempDir.resolve("small"));
        S3Settings large = new S3Settings(small.bucket(), small.prefix(), small.endpoint(), small.region(), true,
                small.accessKey(), small.secretKey(), 8L * MIB, false, null, tempDir.resolve("large"));
        try (S3BlobStore a = new S3BlobStore(large, Clock.systemUTC());
             S3BlobStore b = new S3BlobStore(small, Clock.systemUTC())) {
            BlobUpload onA = a.startUpload();
            onA.append(ByteBuffer.wrap(first));
            onA.flush();

            BlobUpload onB = b.resumeUpload(onA.id()).orElseThrow();
            onB.append(ByteBuffer.wrap(second));
            assertEquals(whole.length, onB.commit(Digest.sha256(whole)).size());
            assertArrayEquals(whole, readAll(a, Digest.sha256(whole)));
        }
    }

    @Test
    void digestMismatchLeavesNoObjectUnderTheClaimedDigestNorTheSession() throws IOException {
        byte[] content = randomBytes(2 * PART + MIB, 4);
        Digest claimed = Digest.sha256("not these bytes".getBytes());
        try (S3BlobStore store = replica("s")) {
            BlobUpload upload = store.startUpload();
            appendInChunks(upload, content, 3 * MIB);
            upload.flush();

            RegistryException e = assertThrows(RegistryException.class, () -> upload.commit(claimed));

            assertEquals(ErrorCode.DIGEST_INVALID, e.code());
            assertTrue(keysUnder(prefix() + "blobs/").isEmpty(), "nothing under blobs/");
            assertTrue(keysUnder(prefix() + "uploads/").isEmpty(), "no session objects left");
            assertTrue(raw.listMultipartUploads(r -> r.bucket(S3ProxyServer.BUCKET).prefix(prefix()))
                    .uploads().isEmpty(), "no multipart upload left");
            assertTrue(store.size(claimed).isEmpty());
        }
    }

    @Test
    void nothingAppearsUnderBlobsBeforeCommit() throws IOException {
        byte[] content = randomBytes(PART + MIB, 5);
        try (S3BlobStore store = replica("s")) {
            BlobUpload upload = store.startUpload();
            upload.append(ByteBuffer.wrap(content));
            upload.flush();
            assertTrue(keysUnder(prefix() + "blobs/").isEmpty());

            upload.commit(Digest.sha256(content));
            assertEquals(List.of(prefix() + "blobs/sha256/" + Digest.sha256(content).hex()), keysUnder(prefix() + "blobs/"));
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {PART - 1, PART, PART + 1, 2 * PART, 2 * PART + 1})
    void sizesAroundPartBoundariesStoreExactlyTheirBytes(int size) throws IOException {
        byte[] content = randomBytes(size, size);
        try (S3BlobStore store = replica("s")) {
            BlobUpload upload = store.startUpload();
            appendInChunks(upload, content, 1_048_573);
            assertEquals(size, upload.commit(Digest.sha256(content)).size());

            assertArrayEquals(content, readAll(store, Digest.sha256(content)));
            try (BlobContent blob = store.open(Digest.sha256(content)).orElseThrow()) {
                long from = Math.max(0, PART - 1000);
                int length = (int) Math.min(2000, size - from);
                assertArrayEquals(Arrays.copyOfRange(content, (int) from, (int) from + length),
                        drain(blob.read(from, length)), "a range across the part boundary");
            }
        }
    }

    @Test
    void blobsAboveTheSingleCopyLimitAreCopiedInParts() throws IOException {
        byte[] content = randomBytes(3 * PART + 5, 6);
        Path spool = tempDir.resolve("s");
        try (S3BlobStore store = new S3BlobStore(server.settings(prefix(), spool), Clock.systemUTC(),
                copyWithLimit(PART))) {
            BlobUpload upload = store.startUpload();
            appendInChunks(upload, content, 4 * MIB);
            upload.commit(Digest.sha256(content));

            assertArrayEquals(content, readAll(store, Digest.sha256(content)));
        }
    }

    private static ServerSideCopy copyWithLimit(long limit) {
        S3Bucket bucket = new S3Bucket(raw, S3ProxyServer.BUCKET);
        return new ServerSideCopy(bucket, limit, S3Settings.MIN_PART_SIZE);
    }

    @Test
    void sha512OfAMultipartUploadIsComputedFromTheAssembledBytes() throws IOException {
        byte[] content = randomBytes(2 * PART + 99, 7);
        Digest sha512 = Digest.of(Digest.Algorithm.SHA512, content);
        try (S3BlobStore store = replica("s")) {
            BlobUpload upload = store.startUpload();
            appendInChunks(upload, content, 3 * MIB);
            assertEquals(sha512, upload.commit(sha512).digest());
            assertArrayEquals(content, readAll(store, sha512));
        }
    }

    @Test
    void failedRequestIsCutBackToTheLastFlushIncludingPartsItSent() throws IOException {
        byte[] kept = randomBytes(PART + MIB, 8);
        byte[] failed = randomBytes(2 * PART, 9);
        byte[] retried = randomBytes(PART + 3, 10);
        byte[] whole = concat(kept, retried);
        try (S3BlobStore store = replica("s")) {
            String id = store.startUpload().id();
            BlobUpload first = store.resumeUpload(id).orElseThrow();
            first.append(ByteBuffer.wrap(kept));
            first.flush();

            BlobUpload second = store.resumeUpload(id).orElseThrow();
            second.append(ByteBuffer.wrap(failed)); // sends parts 2 and 3
            second.truncate(kept.length);
            assertEquals(kept.length, second.size());
            assertThrows(IllegalArgumentException.class, () -> second.truncate(1), "only back to the last flush");

            BlobUpload third = store.resumeUpload(id).orElseThrow();
            assertEquals(kept.length, third.size());
            third.append(ByteBuffer.wrap(retried));
            assertEquals(whole.length, third.commit(Digest.sha256(whole)).size());
            assertArrayEquals(whole, readAll(store, Digest.sha256(whole)));
        }
    }

    @Test
    void cancelAbortsTheMultipartUploadAndRemovesEveryObject() throws IOException {
        try (S3BlobStore store = replica("s")) {
            BlobUpload upload = store.startUpload();
            upload.append(ByteBuffer.wrap(randomBytes(PART + 10, 11)));
            upload.flush();
            assertTrue(keysUnder(prefix() + "uploads/").size() >= 2, "state and tail");

            upload.cancel();

            assertTrue(keysUnder(prefix() + "uploads/").isEmpty());
            assertTrue(raw.listMultipartUploads(r -> r.bucket(S3ProxyServer.BUCKET).prefix(prefix()))
                    .uploads().isEmpty());
        }
    }

    @Test
    void uploadTimesComeFromTheInjectedClock() throws IOException {
        Instant now = Instant.parse("2030-01-02T03:04:05Z");
        try (S3BlobStore store = new S3BlobStore(server.settings(prefix(), tempDir.resolve("s")),
                Clock.fixed(now, ZoneOffset.UTC))) {
            BlobUpload upload = store.startUpload();
            upload.append(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            upload.flush();
            List<BlobStore.UploadState> states = new ArrayList<>();
            store.forEachUpload(states::add);
            assertEquals(List.of(new BlobStore.UploadState(upload.id(), 3, now)), states);
        }
    }

    @Test
    void spoolFilesAreRemovedAfterEachRequestAndOnClose() throws IOException {
        Path spoolBase = tempDir.resolve("s");
        try (S3BlobStore store = replica("s")) {
            BlobUpload upload = store.startUpload();
            upload.append(ByteBuffer.wrap(randomBytes(MIB, 12)));
            assertEquals(1, filesUnder(spoolBase));
            upload.flush();
            assertEquals(0, filesUnder(spoolBase), "flush releases the local file");
        }
        assertEquals(0, filesUnder(spoolBase));
    }

    @Test
    void presignedUrlServesTheBlobToAPlainHttpGet() throws Exception {
        byte[] content = randomBytes(300_000, 13);
        Digest digest = Digest.sha256(content);
        try (S3BlobStore store = new S3BlobStore(server.settings(prefix(), true), Clock.systemUTC());
             S3BlobStore plain = replica("p")) {
            BlobUpload upload = store.startUpload();
            upload.append(ByteBuffer.wrap(content));
            upload.commit(digest);

            URI url = store.downloadUrl(digest).orElseThrow();
            HttpResponse<byte[]> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofByteArray());

            assertEquals(200, response.statusCode(), () -> new String(response.body()));
            assertArrayEquals(content, response.body());
            assertTrue(plain.downloadUrl(digest).isEmpty(), "no URL unless redirects are configured");
        }
    }

    // ---- helpers ----

    private static List<String> keysUnder(String prefix) {
        List<String> keys = new ArrayList<>();
        for (S3Object object : raw.listObjectsV2Paginator(r -> r.bucket(S3ProxyServer.BUCKET).prefix(prefix)).contents()) {
            keys.add(object.key());
        }
        return keys;
    }

    private static long filesUnder(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    private static void appendInChunks(BlobUpload upload, byte[] content, int chunkSize) throws IOException {
        for (int offset = 0; offset < content.length; offset += chunkSize) {
            upload.append(ByteBuffer.wrap(content, offset, Math.min(chunkSize, content.length - offset)));
        }
    }

    private static byte[] readAll(BlobStore store, Digest digest) throws IOException {
        try (BlobContent blob = store.open(digest).orElseThrow()) {
            return drain(blob.read(0, blob.size()));
        }
    }

    private static byte[] drain(ReadableByteChannel channel) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try (channel) {
            while (channel.read(buffer) >= 0) {
                out.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
        }
        return out.toByteArray();
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
