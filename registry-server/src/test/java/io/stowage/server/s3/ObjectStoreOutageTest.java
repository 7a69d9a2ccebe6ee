package io.stowage.server.s3;

import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.server.outage.SwitchableTcpProxy;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.stowage.server.outage.OutageAnswers.assertUnavailable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The object store goes away under a running registry and comes back: every request that needs it
 * gets a clean 503 {@code UNAVAILABLE} with {@code Retry-After} (never a 500, never a hang), nothing
 * is half-stored, what was pushed before is intact afterwards, and an upload interrupted by the
 * outage goes on from its last acknowledged byte. The outage is real: the S3 server's port stops
 * accepting and every open connection is reset.
 */
class ObjectStoreOutageTest {

    @RegisterExtension
    @Order(1)
    static final S3ProxyExtension s3 = new S3ProxyExtension();

    private static SwitchableTcpProxy link;

    @RegisterExtension
    @Order(2)
    static final TestRegistry registry = new TestRegistry(config -> {
        s3.configure(config, "outage/", false);
        try {
            link = SwitchableTcpProxy.start(s3.endpoint().getPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config.storage.s3.endpoint = "http://127.0.0.1:" + link.port();
    });

    private final OciApi api = new OciApi(registry);

    @AfterAll
    static void closeLink() throws IOException {
        if (link != null) {
            link.close();
        }
    }

    @Test
    void outageAnswers503AndNothingIsLostWhenTheStoreReturns() throws Exception {
        Digest before = api.pushImage("team/app", "v1", 5);
        byte[] layerBefore = layerOf("team/app", "v1");

        byte[] interrupted = OciApi.randomBytes(3 * 1024 * 1024 + 17, 11);
        String upload = startUpload("team/app");
        int firstChunk = 1024 * 1024;
        upload = patch(upload, interrupted, 0, firstChunk, 202);

        link.cut();
        try {
            HttpResponse<byte[]> pull = api.get("/v2/team/app/blobs/" + Digest.sha256(layerBefore));
            assertUnavailable(pull, "object store");

            byte[] fresh = OciApi.randomBytes(200_000, 12);
            HttpResponse<byte[]> push = api.send("POST", "/v2/team/app/blobs/uploads/?digest=" + Digest.sha256(fresh),
                    fresh, "Content-Type", "application/octet-stream");
            assertUnavailable(push, "object store");

            HttpResponse<byte[]> chunk = patchResponse(upload, interrupted, firstChunk, interrupted.length);
            assertUnavailable(chunk, "object store");

            assertEquals(503, api.get("/readyz").statusCode(), "a replica that cannot reach its object store is not ready");
            assertEquals(200, api.get("/v2/team/app/manifests/v1", "Accept", OciApi.OCI_MANIFEST).statusCode(),
                    "manifests live in the metadata store and are still served");
        } finally {
            link.restore();
        }

        assertEquals(200, api.get("/readyz").statusCode());
        assertEquals(before, api.tagDigest("team/app", "v1"));
        HttpResponse<byte[]> pulled = api.get("/v2/team/app/blobs/" + Digest.sha256(layerBefore));
        assertEquals(200, pulled.statusCode());
        assertArrayEquals(layerBefore, pulled.body(), "what was pushed before the outage is intact");

        HttpResponse<byte[]> status = api.get(path(upload));
        assertEquals(204, status.statusCode());
        assertEquals("0-" + (firstChunk - 1), status.headers().firstValue("Range").orElseThrow(),
                "the upload stands at its last acknowledged byte");
        upload = patch(upload, interrupted, firstChunk, interrupted.length, 202);
        String separator = upload.contains("?") ? "&" : "?";
        HttpResponse<byte[]> completed = api.send("PUT", path(upload) + separator + "digest=" + Digest.sha256(interrupted), null);
        assertEquals(201, completed.statusCode(), () -> new String(completed.body(), StandardCharsets.UTF_8));
        assertArrayEquals(interrupted, api.get("/v2/team/app/blobs/" + Digest.sha256(interrupted)).body());

        api.pushImage("team/app", "v2", 6);
    }

    private byte[] layerOf(String repository, String tag) throws Exception {
        var manifest = OciApi.json(api.get("/v2/" + repository + "/manifests/" + tag, "Accept", OciApi.OCI_MANIFEST));
        Digest layer = Digest.parse(manifest.path("layers").path(0).path("digest").asText());
        return api.get("/v2/" + repository + "/blobs/" + layer).body();
    }

    private String startUpload(String repository) throws Exception {
        HttpResponse<byte[]> started = api.send("POST", "/v2/" + repository + "/blobs/uploads/", null);
        assertEquals(202, started.statusCode());
        return started.headers().firstValue("Location").orElseThrow();
    }

    private String patch(String location, byte[] content, int from, int to, int expected) throws Exception {
        HttpResponse<byte[]> response = patchResponse(location, content, from, to);
        assertEquals(expected, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
        return response.headers().firstValue("Location").orElseThrow();
    }

    private HttpResponse<byte[]> patchResponse(String location, byte[] content, int from, int to) throws Exception {
        return api.send("PATCH", path(location), Arrays.copyOfRange(content, from, to),
                "Content-Type", "application/octet-stream", "Content-Range", from + "-" + (to - 1));
    }
    private static String path(String location) {
        URI uri = URI.create(location);
        return location.startsWith("http") ? uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                : location;
    }
}
