package io.stowage.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.stowage.server.OciApi;
import io.stowage.server.Registry;
import io.stowage.server.TestRegistry;
import io.stowage.server.config.ConfigException;
import io.stowage.server.config.RegistryConfig;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.stowage.server.OciApi.errorCode;
import static io.stowage.server.OciApi.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /admin/scrub} and its reports over real sockets: an image pushed over the OCI API, a
 * byte of its layer flipped on disk, the scrub finds it, quarantines it and re-imports it from a
 * layout copied beforehand, after which the layer pulls with its digest again; without a repair
 * source the layer is no longer served at all; bad input is a 400 that starts nothing.
 */
class ScrubApiTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry();
    private final OciApi api = new OciApi(registry);

    @TempDir
    Path temp;

    private Digest layerOf(String repository, String tag) throws Exception {
        JsonNode manifest = OciApi.JSON.readTree(api.get("/v2/" + repository + "/manifests/" + tag).body());
        return Digest.parse(manifest.path("layers").path(0).path("digest").asText());
    }

    private byte[] flipOneByte(Digest digest) throws Exception {
        Path file = registry.dataDir().resolve("blobs/sha256").resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(file, bytes);
        return bytes;
    }

    private HttpResponse<byte[]> post(String path, Object body) throws Exception {
        return api.send("POST", path, OciApi.JSON.writeValueAsBytes(body), "Content-Type", "application/json");
    }

    private JsonNode finished(String id) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode run = json(api.get("/admin/scrub/runs/" + id));
            if (!run.path("finishedAt").isNull()) {
                return run;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("scrub " + id + " did not finish");
    }

    private static JsonNode byDigest(JsonNode array, Digest digest) {
        for (JsonNode entry : array) {
            if (entry.path("digest").asText().equals(digest.toString())) {
                return entry;
            }
        }
        throw new AssertionError(digest + " not in " + array);
    }

    @Test
    void aFlippedByteIsFoundQuarantinedNoLongerServedAndRepairedFromTheBackup() throws Exception {
        Digest manifest = api.pushImage("scrub/app", "v1", 501);
        Digest layer = layerOf("scrub/app", "v1");
        byte[] original = api.get("/v2/scrub/app/blobs/" + layer).body();
        Path backup = LayoutCopy.copy(api, "scrub/app", "v1", temp.resolve("backup"));
        byte[] damaged = flipOneByte(layer);

        HttpResponse<byte[]> started = post("/admin/scrub", Map.of("repairFrom", backup.toString(), "maxBytesPerSecond", 0));
        assertEquals(202, started.statusCode(), () -> new String(started.body(), StandardCharsets.UTF_8));
        String id = json(started).path("id").asText();
        assertEquals("/admin/scrub/runs/" + id, started.headers().firstValue("Location").orElseThrow());
        assertEquals("anonymous", json(started).path("actor").asText());

        JsonNode report = finished(id);
        assertEquals("completed", report.path("outcome").asText(), report.toString());
        assertTrue(report.path("blobsChecked").asLong() >= 2);
        JsonNode corrupt = byDigest(report.path("corrupt"), layer);
        assertEquals("blob", corrupt.path("kind").asText());
        assertEquals(Digest.sha256(damaged).toString(), corrupt.path("actualDigest").asText());
        Path quarantined = Path.of(byDigest(report.path("quarantined"), layer).path("path").asText());
        assertTrue(quarantined.startsWith(registry.dataDir().resolve("quarantine")), quarantined.toString());
        assertArrayEquals(damaged, Files.readAllBytes(quarantined), "moved aside, never deleted");
        assertTrue(byDigest(report.path("repaired"), layer).path("note").asText().contains(backup.toString()));
        JsonNode affected = byDigest(report.path("affected"), manifest);
        assertEquals("scrub/app", affected.path("repository").asText());
        assertEquals("v1", affected.path("tag").asText());
        assertEquals(layer.toString(), affected.path("corrupt").path(0).asText());
        assertTrue(affected.path("repaired").asBoolean());

        HttpResponse<byte[]> pulled = api.get("/v2/scrub/app/blobs/" + layer);
        assertEquals(200, pulled.statusCode());
        assertEquals(layer, Digest.sha256(pulled.body()), "served again, with the right digest");
        assertArrayEquals(original, pulled.body());

        JsonNode status = json(api.get("/admin/scrub"));
        assertEquals("idle", status.path("state").asText());
        assertEquals("PT720H", status.path("interval").asText());
        assertEquals(50L * 1024 * 1024, status.path("maxBytesPerSecond").asLong());
        assertFalse(status.path("nextRunAt").isNull());
        List<String> runs = new ArrayList<>();
        json(api.get("/admin/scrub/runs")).path("runs").forEach(run -> runs.add(run.path("id").asText()));
        assertTrue(runs.contains(id), runs.toString());

        assertEquals(layer.toString(), awaitAudit("scrub.quarantine", layer).path("digest").asText());
        assertEquals("repaired", awaitAudit("scrub.repair", layer).path("detail").path("outcome").asText());
    }

    @Test
    void withoutARepairSourceTheCorruptLayerIsNoLongerServed() throws Exception {
        api.pushImage("scrub/bare", "v1", 502);
        Digest layer = layerOf("scrub/bare", "v1");
        flipOneByte(layer);

        HttpResponse<byte[]> started = post("/admin/scrub", Map.of("maxBytesPerSecond", 0));
        assertEquals(202, started.statusCode(), () -> new String(started.body(), StandardCharsets.UTF_8));
        JsonNode report = finished(json(started).path("id").asText());

        assertTrue(report.path("repairFrom").isNull());
        byDigest(report.path("quarantined"), layer);
        HttpResponse<byte[]> get = api.get("/v2/scrub/bare/blobs/" + layer);
        assertEquals(404, get.statusCode());
        assertEquals("BLOB_UNKNOWN", errorCode(get));
        assertEquals(404, api.send("HEAD", "/v2/scrub/bare/blobs/" + layer, null).statusCode(),
                "HEAD agrees, so a client pushing again uploads the layer");

        api.pushBlob("scrub/bare", OciApi.randomBytes(1000 + 502, 502)); // the layer pushImage made
        HttpResponse<byte[]> healed = api.get("/v2/scrub/bare/blobs/" + layer);
        assertEquals(200, healed.statusCode(), "a push of the layer brings it back");
        assertEquals(layer, Digest.sha256(healed.body()));
    }

    @Test
    void badInputIsRefusedAndStartsNothing() throws Exception {
        int before = json(api.get("/admin/scrub/runs")).path("runs").size();
        Object[][] cases = {
                {"not json", "UNSUPPORTED"},
                {"[1]", "UNSUPPORTED"},
                {"{\"maxBytesPerSecond\":-1}", "UNSUPPORTED"},
                {"{\"maxBytesPerSecond\":\"fast\"}", "UNSUPPORTED"},
                {"{\"maxBytesPerSecond\":1.5}", "UNSUPPORTED"},
                {"{\"dryRun\":\"yes\"}", "UNSUPPORTED"},
                {"{\"repairFrom\":\"relative/dir\"}", "UNSUPPORTED"},
                {"{\"repairFrom\":\"" + temp.resolve("no-layout") + "\"}", "UNSUPPORTED"},
                {"{\"repairFrom\":\"ftp://mirror/x\"}", "UNSUPPORTED"},
                {"{\"repairFrom\":\"https://user:secret@mirror.example/x\"}", "UNSUPPORTED"},
                {"{\"repairFrom\":42}", "UNSUPPORTED"},
        };
        for (Object[] c : cases) {
            HttpResponse<byte[]> answer = api.send("POST", "/admin/scrub", ((String) c[0]).getBytes(StandardCharsets.UTF_8),
                    "Content-Type", "application/json");
            assertEquals(400, answer.statusCode(), (String) c[0]);
            assertEquals(c[1], errorCode(answer), (String) c[0]);
        }
        assertEquals(before, json(api.get("/admin/scrub/runs")).path("runs").size(), "nothing was started");
        HttpResponse<byte[]> unknown = api.get("/admin/scrub/runs/nope");
        assertEquals(404, unknown.statusCode());
        assertEquals("SCRUB_RUN_UNKNOWN", errorCode(unknown));
    }

    @Test
    void aScrubRepairFromThatIsNoLocationStopsTheStart() {
        RegistryConfig config = new RegistryConfig();
        config.http.addr = "127.0.0.1:0";
        config.storage.dataDir = temp.resolve("data").toString();
        config.scrub.repairFrom = "backups/latest";
        ConfigException refused = assertThrows(ConfigException.class, () -> Registry.start(config, Clock.systemUTC()));
        assertTrue(refused.getMessage().startsWith("scrub.repairFrom: "), refused.getMessage());
    }

    private JsonNode awaitAudit(String action, Digest digest) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (JsonNode record : json(api.get("/admin/audit?action=" + action + "&limit=1000")).path("records")) {
                if (record.path("digest").asText().equals(digest.toString())) {
                    return record;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + action + " record for " + digest);
    }
}
