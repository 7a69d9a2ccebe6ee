package io.stowage.server.s3;

import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OCI API over a registry whose blobs live in S3 (S3Proxy on loopback) while its metadata stays
 * in SQLite: push, chunked push, pull whole and by range, and the 307 to a presigned URL.
 */
class S3StorageApiTest {

    @RegisterExtension
    @Order(1)
    static final S3ProxyExtension s3 = new S3ProxyExtension();

    @RegisterExtension
    @Order(2)
    static final TestRegistry registry = new TestRegistry(config -> s3.configure(config, "streamed/", false));

    @RegisterExtension
    @Order(3)
    static final TestRegistry redirecting = new TestRegistry(config -> s3.configure(config, "redirected/", true));

    private final OciApi api = new OciApi(registry);

    @Test
    void pushedImagePullsBackWithItsBlobsInTheBucket() throws Exception {
        Digest manifestDigest = api.pushImage("team/app", "v1", 42);

        HttpResponse<byte[]> manifest = api.get("/v2/team/app/manifests/v1", "Accept", OciApi.OCI_MANIFEST);
        assertEquals(200, manifest.statusCode());
        assertEquals(manifestDigest, Digest.sha256(manifest.body()));
        for (var layer : OciApi.json(manifest).path("layers")) {
            Digest digest = Digest.parse(layer.path("digest").asText());
            HttpResponse<byte[]> blob = api.get("/v2/team/app/blobs/" + digest);
            assertEquals(200, blob.statusCode());
            assertEquals(digest, Digest.sha256(blob.body()));
            assertTrue(s3.keys("streamed/blobs/").contains("streamed/blobs/sha256/" + digest.hex()));
        }
        assertFalse(hasFilesUnder("blobs"), "no blob on the local disk");
        assertTrue(s3.keys("streamed/uploads/").isEmpty(), "no upload left in the bucket");
    }

    @Test
    void chunkedPushAcrossPartsAndRangedPull() throws Exception {
        byte[] content = OciApi.randomBytes(7 * 1024 * 1024 + 11, 7);
        Digest digest = Digest.sha256(content);
        HttpResponse<byte[]> started = api.send("POST", "/v2/team/chunked/blobs/uploads/", null);
        assertEquals(202, started.statusCode());
        String location = started.headers().firstValue("Location").orElseThrow();
        int[] cuts = {0, 3 * 1024 * 1024, 6 * 1024 * 1024 + 5, content.length};
        for (int i = 0; i < cuts.length - 1; i++) {
            byte[] chunk = Arrays.copyOfRange(content, cuts[i], cuts[i + 1]);
            HttpResponse<byte[]> patched = api.send("PATCH", path(location), chunk,
                    "Content-Type", "application/octet-stream",
                    "Content-Range", cuts[i] + "-" + (cuts[i + 1] - 1));
            assertEquals(202, patched.statusCode(), () -> new String(patched.body(), StandardCharsets.UTF_8));
            assertEquals("0-" + (cuts[i + 1] - 1), patched.headers().firstValue("Range").orElseThrow());
            location = patched.headers().firstValue("Location").orElseThrow();
        }
        String separator = location.contains("?") ? "&" : "?";
        HttpResponse<byte[]> put = api.send("PUT", path(location) + separator + "digest=" + digest, null);
        assertEquals(201, put.statusCode(), () -> new String(put.body(), StandardCharsets.UTF_8));

        HttpResponse<byte[]> whole = api.get("/v2/team/chunked/blobs/" + digest);
        assertArrayEquals(content, whole.body());
        HttpResponse<byte[]> range = api.get("/v2/team/chunked/blobs/" + digest, "Range", "bytes=5242870-5242889");
        assertEquals(206, range.statusCode());
        assertArrayEquals(Arrays.copyOfRange(content, 5242870, 5242890), range.body());
    }

    @Test
    void redirectConfiguredAnswers307ToAPresignedUrlThatServesTheBlob() throws Exception {
        OciApi redirected = new OciApi(redirecting);
        byte[] content = OciApi.randomBytes(100_000, 9);
        Digest digest = redirected.pushBlob("team/direct", content);

        HttpResponse<byte[]> answer = redirected.get("/v2/team/direct/blobs/" + digest);

        assertEquals(307, answer.statusCode());
        assertEquals(digest.toString(), answer.headers().firstValue("Docker-Content-Digest").orElseThrow());
        URI location = URI.create(answer.headers().firstValue("Location").orElseThrow());
        assertEquals(s3.endpoint().getPort(), location.getPort(), "the client goes to S3, not to the registry");
        HttpResponse<byte[]> fetched = HttpClient.newHttpClient().send(HttpRequest.newBuilder(location).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, fetched.statusCode());
        assertArrayEquals(content, fetched.body());

        HttpResponse<byte[]> head = redirected.send("HEAD", "/v2/team/direct/blobs/" + digest, null);
        assertEquals(200, head.statusCode(), "HEAD is answered by the registry");
        assertEquals(404, redirected.get("/v2/team/other/blobs/" + digest).statusCode(),
                "no URL for a repository the blob is not linked to");
    }

    private static String path(String location) {
        return location.startsWith("http") ? URI.create(location).getRawPath()
                + (URI.create(location).getRawQuery() == null ? "" : "?" + URI.create(location).getRawQuery()) : location;
    }

    private static boolean hasFilesUnder(String dir) throws Exception {
        var path = registry.dataDir().resolve(dir);
        if (!Files.exists(path)) {
            return false;
        }
        try (Stream<java.nio.file.Path> files = Files.walk(path)) {
            return files.anyMatch(Files::isRegularFile);
        }
    }
}
