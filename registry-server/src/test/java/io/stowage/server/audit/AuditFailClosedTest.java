package io.stowage.server.audit;

import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Invariant 6, fail-closed: a registry whose audit disk is below its reserve (here: a reserve no
 * disk can meet, measured for real by the file store) refuses every change with 503 and changes
 * nothing, while reads still answer.
 */
class AuditFailClosedTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry(config -> config.audit.minFreeBytes = Long.MAX_VALUE);

    private final OciApi api = new OciApi(registry);

    @Test
    void mutationsGet503AndChangeNothing() throws Exception {
        byte[] blob = "content".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(blob);
        HttpResponse<byte[]> upload = api.send("POST", "/v2/closed/app/blobs/uploads/?digest=" + digest, blob);
        assertEquals(503, upload.statusCode());
        assertEquals("UNAVAILABLE", OciApi.errorCode(upload));
        assertEquals(404, api.send("HEAD", "/v2/closed/app/blobs/" + digest, null).statusCode(), "no blob stored");

        byte[] manifest = OciApi.imageManifest(blob, List.of(), null, 0);
        HttpResponse<byte[]> put = api.send("PUT", "/v2/closed/app/manifests/v1", manifest,
                "Content-Type", OciApi.OCI_MANIFEST);
        assertEquals(503, put.statusCode());
        assertEquals(404, api.get("/v2/closed/app/manifests/v1").statusCode(), "no manifest stored");

        HttpResponse<byte[]> pause = api.send("POST", "/admin/gc/pause", null);
        assertEquals(503, pause.statusCode());
        assertEquals(false, OciApi.json(api.get("/admin/gc")).path("paused").asBoolean());

        assertEquals(200, api.get("/v2/").statusCode(), "reads still answer");
    }
}
