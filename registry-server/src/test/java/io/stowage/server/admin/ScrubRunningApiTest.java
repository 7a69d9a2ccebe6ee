package io.stowage.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static io.stowage.server.OciApi.errorCode;
import static io.stowage.server.OciApi.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One scrub at a time: a run paced at one byte a second is still reading when the second
 * {@code POST} comes, which gets 409 {@code SCRUB_RUNNING}; the status shows the run under way and
 * pulls are served meanwhile (the scrub has its own thread). The registry's shutdown stops it.
 */
class ScrubRunningApiTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry();
    private final OciApi api = new OciApi(registry);

    @Test
    void aSecondScrubWhileOneRunsIsRefusedAndTheRegistryKeepsServing() throws Exception {
        api.pushImage("slow/app", "v1", 7);
        HttpResponse<byte[]> first = api.send("POST", "/admin/scrub", "{\"maxBytesPerSecond\":1,\"dryRun\":true}"
                .getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json");
        assertEquals(202, first.statusCode());
        String id = json(first).path("id").asText();
        assertTrue(json(first).path("dryRun").asBoolean());

        HttpResponse<byte[]> second = api.send("POST", "/admin/scrub", null);
        assertEquals(409, second.statusCode());
        assertEquals("SCRUB_RUNNING", errorCode(second));
        assertEquals(id, json(second).path("errors").path(0).path("detail").path("id").asText());

        JsonNode status = json(api.get("/admin/scrub"));
        assertEquals("running", status.path("state").asText());
        assertEquals(id, status.path("currentRun").path("id").asText());
        assertTrue(status.path("currentRun").path("finishedAt").isNull());
        assertEquals(200, api.get("/v2/slow/app/manifests/v1", "Accept", OciApi.OCI_MANIFEST).statusCode());
    }
}
