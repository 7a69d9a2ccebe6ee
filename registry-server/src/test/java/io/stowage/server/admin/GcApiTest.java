package io.stowage.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.stowage.server.OciApi.OCI_MANIFEST;
import static io.stowage.server.OciApi.errorCode;
import static io.stowage.server.OciApi.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The garbage collector's admin routes (API.md "Garbage collection") and the runbook's flow over HTTP. */
class GcApiTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry();
    private final OciApi api = new OciApi(registry);

    @Test
    void theRunbookFlowPauseRefuseDryRunUndeleteVerifyResume() throws Exception {
        byte[] shared = OciApi.randomBytes(4000, 60);
        byte[] own = OciApi.randomBytes(5000, 61);
        byte[] config1 = "{\"v\":1}".getBytes();
        byte[] config2 = "{\"v\":2}".getBytes();
        for (byte[] blob : List.of(shared, own, config1, config2)) {
            api.pushBlob("gc/app", blob);
        }
        byte[] v1 = OciApi.imageManifest(config1, List.of(shared, own), null, 0);
        byte[] v2 = OciApi.imageManifest(config2, List.of(shared), null, 0);
        api.send("PUT", "/v2/gc/app/manifests/v1", v1, "Content-Type", OCI_MANIFEST);
        api.send("PUT", "/v2/gc/app/manifests/v2", v2, "Content-Type", OCI_MANIFEST);
        assertEquals(202, api.send("DELETE", "/v2/gc/app/manifests/v1", null).statusCode());

        HttpResponse<byte[]> paused = api.send("POST", "/admin/gc/pause", "{\"reason\":\"restoring gc/app:v1\"}".getBytes(),
                "Content-Type", "application/json");
        assertEquals(200, paused.statusCode());
        assertEquals("paused", json(paused).path("state").asText());
        assertTrue(json(paused).path("paused").asBoolean());
        assertEquals("anonymous", json(paused).path("pausedBy").asText());
        assertEquals("restoring gc/app:v1", json(paused).path("pauseReason").asText());
        assertEquals("PT24H", json(paused).path("gracePeriod").asText());
        assertEquals(200, api.send("POST", "/admin/gc/pause", null).statusCode(), "pause is idempotent");

        HttpResponse<byte[]> refused = api.send("POST", "/admin/gc/runs", null);
        assertEquals(409, refused.statusCode());
        assertEquals("GC_PAUSED", errorCode(refused));

        HttpResponse<byte[]> dry = api.send("POST", "/admin/gc/runs", "{\"dryRun\":true}".getBytes());
        assertEquals(202, dry.statusCode());
        String runId = json(dry).path("id").asText();
        assertTrue(json(dry).path("dryRun").asBoolean());
        JsonNode run = awaitRun(runId);
        assertEquals("completed", run.path("outcome").asText());
        Set<String> wouldDelete = new HashSet<>();
        run.path("deleted").forEach(d -> wouldDelete.add(d.path("digest").asText()));
        for (byte[] needed : List.of(v1, shared, own, config1)) {
            assertFalse(wouldDelete.contains(Digest.sha256(needed).toString()), "retention protects what v1 needs");
        }

        HttpResponse<byte[]> undelete = api.send("POST", "/admin/repositories/gc/app/tags/v1/undelete", null);
        assertEquals(200, undelete.statusCode());
        assertArrayEquals(v1, api.get("/v2/gc/app/manifests/v1").body());
        for (byte[] blob : List.of(shared, own, config1)) {
            assertArrayEquals(blob, api.get("/v2/gc/app/blobs/" + Digest.sha256(blob)).body());
        }

        HttpResponse<byte[]> resumed = api.send("POST", "/admin/gc/resume", null);
        assertEquals("idle", json(resumed).path("state").asText());
        assertFalse(json(resumed).path("paused").asBoolean());
        assertTrue(json(resumed).path("pausedBy").isNull());

        HttpResponse<byte[]> real = api.send("POST", "/admin/gc/runs", null);
        assertEquals(202, real.statusCode());
        JsonNode finished = awaitRun(json(real).path("id").asText());
        assertEquals("completed", finished.path("outcome").asText());
        assertEquals(0, finished.path("swept").path("blobs").asInt(), "nothing is past the 24 h grace period");

        JsonNode runs = json(api.get("/admin/gc/runs")).path("runs");
        assertEquals(json(real).path("id").asText(), runs.path(0).path("id").asText(), "newest first");
        assertEquals(runId, runs.path(1).path("id").asText());
        JsonNode status = json(api.get("/admin/gc"));
        assertEquals(json(real).path("id").asText(), status.path("lastRun").path("id").asText());
    }

    @Test
    void unknownRunAndBadBodiesAreClearErrors() throws Exception {
        HttpResponse<byte[]> unknown = api.get("/admin/gc/runs/no-such-run");
        assertEquals(404, unknown.statusCode());
        assertEquals("GC_RUN_UNKNOWN", errorCode(unknown));
        assertEquals(400, api.send("POST", "/admin/gc/pause", "not json".getBytes()).statusCode());
        assertEquals(400, api.send("POST", "/admin/gc/runs", "[1,2]".getBytes()).statusCode());
        assertEquals(405, api.send("DELETE", "/admin/gc", null).statusCode());
    }

    private JsonNode awaitRun(String id) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        JsonNode run = null;
        while (System.nanoTime() < deadline) {
            run = json(api.get("/admin/gc/runs/" + id));
            if (!run.path("finishedAt").isNull()) {
                return run;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("run " + id + " did not finish: " + run);
    }
}
