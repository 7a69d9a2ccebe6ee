package io.stowage.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.stowage.server.OciApi.errorCode;
import static io.stowage.server.OciApi.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /admin/recovery/reimport} and {@code /admin/imports} over real sockets, on a registry
 * whose collector keeps nothing (zero grace, zero retention), so a deleted tag's layers are really
 * gone after one run: the answer to undelete, the check against the audit log, the restore, and
 * every kind of bad input answered 400 with nothing changed.
 */
class ReimportApiTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry(config -> {
        config.gc.gracePeriod = Duration.ZERO;
        config.gc.retention = Duration.ZERO;
    });
    private final OciApi api = new OciApi(registry);

    @TempDir
    Path temp;

    @Test
    void aCollectedTagComesBackFromALayoutCheckedAgainstItsAuditedPush() throws Exception {
        Digest digest = api.pushImage("r/app", "v1", 71);
        byte[] manifest = api.get("/v2/r/app/manifests/v1").body();
        Path layout = LayoutCopy.copy(api, "r/app", "v1", temp.resolve("backup"));
        JsonNode push = json(api.get("/admin/audit?repository=r/app&action=manifest.put")).path("records").path(0);
        assertEquals(202, api.send("DELETE", "/v2/r/app/manifests/v1", null).statusCode());
        collect();

        HttpResponse<byte[]> missing = api.send("POST", "/admin/repositories/r/app/tags/v1/undelete", null);
        assertEquals(409, missing.statusCode());
        JsonNode detail = json(missing).path("errors").path(0).path("detail");
        assertEquals(2, detail.path("missingBlobs").size());
        assertEquals("registry recover reimport --repository r/app --tag v1 --digest " + digest
                + " --from <backup dir or registry URL> --restore", detail.path("reimport").asText());

        HttpResponse<byte[]> answer = post("/admin/recovery/reimport", Map.of("repository", "r/app", "tag", "v1",
                "from", layout.toString(), "requireAudited", true, "restore", true));
        assertEquals(200, answer.statusCode(), () -> new String(answer.body(), StandardCharsets.UTF_8));
        JsonNode report = json(answer);
        assertEquals("complete", report.path("outcome").asText());
        assertEquals(digest.toString(), report.path("digest").asText());
        assertEquals("journal", report.path("digestFrom").asText());
        assertEquals(2, report.path("imported").size(), "config and layer; the manifest row was kept");
        assertEquals(push.path("seq").asLong(), report.path("provenance").path("seq").asLong());
        assertEquals("anonymous", report.path("provenance").path("actor").asText());
        assertTrue(report.path("provenance").path("tagMatched").asBoolean());
        assertEquals(List.of("v1"), List.of(report.path("restored").path("tags").path(0).asText()));
        assertArrayEquals(manifest, api.get("/v2/r/app/manifests/v1").body());

        List<String> actions = new ArrayList<>();
        JsonNode records = json(api.get("/admin/audit?repository=r/app&limit=1000")).path("records");
        JsonNode restoreEvent = null;
        for (JsonNode record : records) {
            actions.add(record.path("action").asText());
            if (record.path("action").asText().equals("recovery.restore")) {
                restoreEvent = record;
            }
        }
        assertTrue(actions.indexOf("recovery.reimport") < actions.indexOf("tag.restored"), actions.toString());
        assertTrue(actions.indexOf("tag.restored") < actions.indexOf("recovery.restore"), actions.toString());
        assertEquals(push.path("seq").asLong(), restoreEvent.path("detail").path("provenanceSeq").asLong());
    }

    @Test
    void requireAuditedRefusesADigestThisRegistryNeverRecordedAndStoresNothing() throws Exception {
        Path elsewhere = temp.resolve("elsewhere");
        Digest foreign = api.pushImage("r/foreign", "x", 72);
        LayoutCopy.copy(api, "r/foreign", "x", elsewhere);
        HttpResponse<byte[]> refused = post("/admin/recovery/reimport", Map.of("repository", "r/clean", "tag", "x",
                "from", elsewhere.toString(), "requireAudited", true, "restore", true));
        assertEquals(409, refused.statusCode());
        assertEquals("DIGEST_NOT_AUDITED", errorCode(refused));
        assertEquals(404, api.get("/v2/r/clean/tags/list").statusCode(), "nothing was stored");

        HttpResponse<byte[]> warned = post("/admin/recovery/reimport", Map.of("repository", "r/clean", "tag", "x",
                "from", elsewhere.toString(), "restore", true));
        assertEquals(200, warned.statusCode());
        JsonNode report = json(warned);
        assertTrue(report.path("provenance").isNull());
        assertTrue(report.path("warnings").toString().contains("NO AUDITED PUSH"), report.toString());
        assertEquals(foreign, api.tagDigest("r/clean", "x"));
    }

    @Test
    void anImportRunsInTheBackgroundAndReportsEachImage() throws Exception {
        Digest digest = api.pushImage("r/src", "v3", 73);
        Path layout = LayoutCopy.copy(api, "r/src", "v3", temp.resolve("layout"));
        HttpResponse<byte[]> started = post("/admin/imports", Map.of("from", layout.toString(), "repository", "r/copy"));
        assertEquals(202, started.statusCode(), () -> new String(started.body(), StandardCharsets.UTF_8));
        String id = json(started).path("id").asText();
        assertEquals("/admin/imports/" + id, started.headers().firstValue("Location").orElseThrow());
        JsonNode job = null;
        for (int i = 0; i < 200; i++) {
            job = json(api.get("/admin/imports/" + id));
            if (!job.path("finishedAt").isNull()) {
                break;
            }
            Thread.sleep(50);
        }
        assertEquals("completed", job.path("outcome").asText(), job.toString());
        assertEquals("r/copy", job.path("images").path(0).path("repository").asText());
        assertEquals(digest, api.tagDigest("r/copy", "v3"));
        assertEquals(id, json(api.get("/admin/imports")).path("imports").path(0).path("id").asText());
        HttpResponse<byte[]> unknown = api.get("/admin/imports/nope");
        assertEquals(404, unknown.statusCode());
        assertEquals("IMPORT_UNKNOWN", errorCode(unknown));
    }

    @Test
    void badInputIsA400AndChangesNothing() throws Exception {
        Path notALayout = Files.createDirectories(temp.resolve("empty"));
        String layoutish = notALayout.toString();
        Object[][] cases = {
                {"/admin/recovery/reimport", "not json", "UNSUPPORTED"},
                {"/admin/recovery/reimport", "[1]", "UNSUPPORTED"},
                {"/admin/recovery/reimport", "{\"tag\":\"v1\",\"from\":\"/x\"}", "UNSUPPORTED"},
                {"/admin/recovery/reimport", "{\"repository\":\"Bad Name\",\"tag\":\"v1\",\"from\":\"/x\"}", "NAME_INVALID"},
                {"/admin/recovery/reimport", "{\"repository\":\"r/a\",\"digest\":\"sha256:xyz\",\"from\":\"/x\"}", "DIGEST_INVALID"},
                {"/admin/recovery/reimport", "{\"repository\":\"r/a\",\"tag\":\"-bad\",\"from\":\"/x\"}", "MANIFEST_INVALID"},
                {"/admin/recovery/reimport", "{\"repository\":\"r/a\",\"from\":\"/x\"}", "UNSUPPORTED"},
                {"/admin/recovery/reimport", "{\"repository\":\"r/a\",\"tag\":\"v1\"}", "UNSUPPORTED"},
                {"/admin/recovery/reimport", "{\"repository\":\"r/a\",\"tag\":\"v1\",\"from\":\"backups/x\"}", "UNSUPPORTED"},
                {"/admin/recovery/reimport", "{\"repository\":\"r/a\",\"tag\":\"v1\",\"from\":\"ftp://host/x\"}", "UNSUPPORTED"},
                {"/admin/recovery/reimport", "{\"repository\":\"r/a\",\"tag\":\"v1\",\"from\":\"https://u:p@host/x\"}", "UNSUPPORTED"},
                {"/admin/recovery/reimport", "{\"repository\":\"r/a\",\"tag\":\"v1\",\"from\":\"http://\"}", "UNSUPPORTED"},
                {"/admin/recovery/reimport", "{\"repository\":\"r/a\",\"tag\":\"v1\",\"from\":\"" + layoutish + "\"}", "UNSUPPORTED"},
                {"/admin/recovery/reimport", "{\"repository\":\"r/a\",\"tag\":\"v1\",\"from\":\"/x\",\"restore\":\"yes\"}", "UNSUPPORTED"},
                {"/admin/imports", "{}", "UNSUPPORTED"},
                {"/admin/imports", "{\"from\":\"relative/dir\"}", "UNSUPPORTED"},
                {"/admin/imports", "{\"from\":\"http://127.0.0.1:1\"}", "UNSUPPORTED"},
                {"/admin/imports", "{\"from\":\"" + layoutish + "\"}", "UNSUPPORTED"},
                {"/admin/imports", "{\"from\":\"/tmp\",\"repository\":\"UPPER\"}", "NAME_INVALID"},
        };
        for (Object[] c : cases) {
            HttpResponse<byte[]> answer = api.send("POST", (String) c[0], ((String) c[1]).getBytes(StandardCharsets.UTF_8),
                    "Content-Type", "application/json");
            String body = new String(answer.body(), StandardCharsets.UTF_8);
            assertEquals(400, answer.statusCode(), c[1] + " -> " + body);
            assertEquals(c[2], errorCode(answer), c[1] + " -> " + body);
            assertFalse(json(answer).path("errors").path(0).path("message").asText().isBlank());
        }
        assertEquals(404, api.get("/v2/r/a/tags/list").statusCode());
    }

    private void collect() throws Exception {
        String id = json(api.send("POST", "/admin/gc/runs", null)).path("id").asText();
        for (int i = 0; i < 300; i++) {
            if (!json(api.get("/admin/gc/runs/" + id)).path("finishedAt").isNull()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("gc run did not finish");
    }

    private HttpResponse<byte[]> post(String path, Map<String, Object> body) throws Exception {
        return api.send("POST", path, OciApi.JSON.writeValueAsBytes(body), "Content-Type", "application/json");
    }
}
