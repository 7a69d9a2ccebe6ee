package io.stowage.server.oci;

import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.stowage.server.OciApi.errorCode;
import static io.stowage.server.OciApi.randomBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UploadApiTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry();
    private final OciApi api = new OciApi(registry);

    @Test
    void monolithicPostWithDigestStoresTheBlob() throws Exception {
        byte[] blob = randomBytes(300_000, 1);
        Digest digest = api.pushBlob("mono/app", blob);
        HttpResponse<byte[]> get = api.get("/v2/mono/app/blobs/" + digest);
        assertEquals(200, get.statusCode());
        assertArrayEquals(blob, get.body());
        assertEquals(digest.toString(), get.headers().firstValue("Docker-Content-Digest").orElseThrow());
    }

    @Test
    void postThenPutCompletesAnUpload() throws Exception {
        byte[] blob = randomBytes(5000, 2);
        Digest digest = Digest.sha256(blob);
        HttpResponse<byte[]> start = api.send("POST", "/v2/twostep/blobs/uploads/", null);
        assertEquals(202, start.statusCode());
        String location = start.headers().firstValue("Location").orElseThrow();
        assertNotNull(start.headers().firstValue("Docker-Upload-UUID").orElse(null));
        assertEquals("0-0", start.headers().firstValue("Range").orElseThrow());
        HttpResponse<byte[]> put = api.send("PUT", location + "?digest=" + digest, blob);
        assertEquals(201, put.statusCode());
        assertEquals("/v2/twostep/blobs/" + digest, put.headers().firstValue("Location").orElseThrow());
        assertArrayEquals(blob, api.get("/v2/twostep/blobs/" + digest).body());
    }

    @Test
    void chunkedPatchesWithContentRangeAndOutOfOrderChunkGets416() throws Exception {
        byte[] blob = randomBytes(30_000, 3);
        String location = api.send("POST", "/v2/chunked/blobs/uploads/", null).headers().firstValue("Location").orElseThrow();
        HttpResponse<byte[]> first = api.send("PATCH", location, Arrays.copyOfRange(blob, 0, 10_000),
                "Content-Range", "0-9999", "Content-Type", "application/octet-stream");
        assertEquals(202, first.statusCode());
        assertEquals("0-9999", first.headers().firstValue("Range").orElseThrow());

        HttpResponse<byte[]> outOfOrder = api.send("PATCH", location, Arrays.copyOfRange(blob, 20_000, 30_000),
                "Content-Range", "20000-29999");
        assertEquals(416, outOfOrder.statusCode());
        assertEquals("BLOB_UPLOAD_INVALID", errorCode(outOfOrder));

        HttpResponse<byte[]> status = api.get(location);
        assertEquals(204, status.statusCode());
        assertEquals("0-9999", status.headers().firstValue("Range").orElseThrow());

        HttpResponse<byte[]> second = api.send("PATCH", location, Arrays.copyOfRange(blob, 10_000, 20_000),
                "Content-Range", "10000-19999");
        assertEquals(202, second.statusCode());
        HttpResponse<byte[]> last = api.send("PUT", location + "?digest=" + Digest.sha256(blob),
                Arrays.copyOfRange(blob, 20_000, 30_000), "Content-Range", "20000-29999");
        assertEquals(201, last.statusCode());
        assertArrayEquals(blob, api.get("/v2/chunked/blobs/" + Digest.sha256(blob)).body());
    }

    @Test
    void streamedPatchWithoutContentRange() throws Exception {
        byte[] blob = randomBytes(2_000_000, 4);
        String location = api.send("POST", "/v2/streamed/blobs/uploads/", null).headers().firstValue("Location").orElseThrow();
        HttpResponse<byte[]> patch = api.send("PATCH", location, blob);
        assertEquals(202, patch.statusCode());
        assertEquals("0-1999999", patch.headers().firstValue("Range").orElseThrow());
        String next = patch.headers().firstValue("Location").orElseThrow();
        assertEquals(201, api.send("PUT", next + "?digest=" + Digest.sha256(blob), null).statusCode());
        assertArrayEquals(blob, api.get("/v2/streamed/blobs/" + Digest.sha256(blob)).body());
    }

    @Test
    void wrongDigestIsRejectedAndNothingIsStored() throws Exception {
        byte[] blob = randomBytes(1000, 5);
        Digest wrong = Digest.sha256(new byte[]{1});
        HttpResponse<byte[]> response = api.send("POST", "/v2/wrong/blobs/uploads/?digest=" + wrong, blob);
        assertEquals(400, response.statusCode());
        assertEquals("DIGEST_INVALID", errorCode(response));
        assertEquals(404, api.send("HEAD", "/v2/wrong/blobs/" + wrong, null).statusCode());
        assertEquals(404, api.send("HEAD", "/v2/wrong/blobs/" + Digest.sha256(blob), null).statusCode());
    }

    @Test
    void putWithoutDigestIsDigestInvalid() throws Exception {
        String location = api.send("POST", "/v2/nodigest/blobs/uploads/", null).headers().firstValue("Location").orElseThrow();
        HttpResponse<byte[]> put = api.send("PUT", location, new byte[]{1, 2});
        assertEquals(400, put.statusCode());
        assertEquals("DIGEST_INVALID", errorCode(put));
    }

    @Test
    void cancelledAndUnknownUploadsAre404() throws Exception {
        String location = api.send("POST", "/v2/cancel/blobs/uploads/", null).headers().firstValue("Location").orElseThrow();
        assertEquals(204, api.send("DELETE", location, null).statusCode());
        HttpResponse<byte[]> gone = api.get(location);
        assertEquals(404, gone.statusCode());
        assertEquals("BLOB_UPLOAD_UNKNOWN", errorCode(gone));
        HttpResponse<byte[]> unknown = api.send("PATCH", "/v2/cancel/blobs/uploads/not-a-session", new byte[]{1});
        assertEquals(404, unknown.statusCode());
        assertEquals("BLOB_UPLOAD_UNKNOWN", errorCode(unknown));
    }

    @Test
    void uploadSessionBelongsToItsRepository() throws Exception {
        String location = api.send("POST", "/v2/owner/blobs/uploads/", null).headers().firstValue("Location").orElseThrow();
        String uuid = location.substring(location.lastIndexOf('/') + 1);
        assertEquals(404, api.get("/v2/intruder/blobs/uploads/" + uuid).statusCode());
    }

    @Test
    void crossRepositoryMountLinksWithoutUploadAndFallsBackToASession() throws Exception {
        byte[] blob = randomBytes(4000, 6);
        Digest digest = api.pushBlob("mount/source", blob);
        HttpResponse<byte[]> mounted = api.send("POST", "/v2/mount/target/blobs/uploads/?mount=" + digest + "&from=mount/source", null);
        assertEquals(201, mounted.statusCode());
        assertEquals("/v2/mount/target/blobs/" + digest, mounted.headers().firstValue("Location").orElseThrow());
        assertArrayEquals(blob, api.get("/v2/mount/target/blobs/" + digest).body());

        HttpResponse<byte[]> fallback = api.send("POST", "/v2/mount/other/blobs/uploads/?mount=" + digest + "&from=mount/nowhere", null);
        assertEquals(202, fallback.statusCode());
        assertTrue(fallback.headers().firstValue("Location").orElseThrow().startsWith("/v2/mount/other/blobs/uploads/"));
    }

    @Test
    void concurrentPushesOfTheSameBlobBothSucceed() throws Exception {
        byte[] blob = randomBytes(1_000_000, 7);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String repository = "same/blob" + i;
                Callable<Integer> push = () -> api.send("POST", "/v2/" + repository + "/blobs/uploads/?digest=" + Digest.sha256(blob), blob).statusCode();
                results.add(pool.submit(push));
            }
            for (Future<Integer> result : results) {
                assertEquals(201, result.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(blob, api.get("/v2/same/blob" + i + "/blobs/" + Digest.sha256(blob)).body());
        }
    }
}
