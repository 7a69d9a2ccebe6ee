package io.stowage.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.stowage.audit.AuditRecord;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.server.audit.AuditTrail;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.stowage.server.OciApi.OCI_MANIFEST;
import static io.stowage.server.OciApi.errorCode;
import static io.stowage.server.OciApi.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backup routes over HTTP: a backup, an incremental one, one with nothing new, bad input, one at a time, pushes meanwhile. */
class BackupApiTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry();
    private final OciApi api = new OciApi(registry);

    @TempDir
    Path dir;

    @Test
    void aBackupThenOnlyTheNewImageThenNothing() throws Exception {
        Digest v1 = api.pushImage("team/app", "v1", 1);
        Path target = dir.resolve("backup");

        HttpResponse<byte[]> started = start(target.toString());
        assertEquals(202, started.statusCode(), () -> new String(started.body(), StandardCharsets.UTF_8));
        String id = json(started).path("id").asText();
        assertEquals("/admin/backups/" + id, started.headers().firstValue("Location").orElseThrow());
        assertEquals(target.toString(), json(started).path("to").asText());
        JsonNode first = awaitRun(id);
        assertEquals("completed", first.path("outcome").asText(), first.toString());
        // Other tests of this class share the registry: at least this image, maybe more.
        assertTrue(first.path("manifests").path("written").asInt() >= 1);
        assertTrue(first.path("blobs").path("written").asInt() >= 2);
        assertTrue(first.path("tags").asInt() >= 1);
        assertTrue(first.path("journalEvents").asInt() >= 1);
        assertEquals("anonymous", first.path("actor").asText());
        assertTrue(first.path("durationMs").isNumber());
        assertTrue(first.path("bytesWritten").asLong() > 0);
        assertTrue(Files.exists(target.resolve("blobs/sha256").resolve(v1.hex())));

        // One new image that shares nothing with v1: its config, its layer and its manifest.
        Digest v2 = api.pushImage("team/app", "v2", 2);
        List<String> before = blobNames(target);
        JsonNode second = awaitRun(json(start(target.toString())).path("id").asText());
        assertEquals("completed", second.path("outcome").asText(), second.toString());
        assertEquals(1, second.path("manifests").path("written").asInt());
        assertEquals(2, second.path("blobs").path("written").asInt());
        assertEquals(0, second.path("blobs").path("present").asInt());
        List<String> added = new ArrayList<>(blobNames(target));
        added.removeAll(before);
        assertEquals(3, added.size(), "exactly the new image's blobs: " + added);
        assertTrue(added.contains(v2.hex()));

        JsonNode third = awaitRun(json(start(target.toString())).path("id").asText());
        assertTrue(third.path("unchanged").asBoolean(), third.toString());
        assertEquals(0, third.path("blobs").path("written").asInt());
        assertEquals(0, third.path("manifests").path("written").asInt());
        assertEquals(blobNames(target).size(), before.size() + 3);

        JsonNode list = json(api.get("/admin/backups"));
        assertTrue(list.path("running").isNull());
        assertEquals("PT0S", list.path("schedule").path("interval").asText());
        assertEquals(third.path("id").asText(), list.path("runs").path(0).path("id").asText(), "newest first");

        HttpResponse<byte[]> unknown = api.get("/admin/backups/no-such-run");
        assertEquals(404, unknown.statusCode());
        assertEquals("BACKUP_RUN_UNKNOWN", errorCode(unknown));

        List<AuditRecord> ends = new AuditTrail(registry.dataDir()).records(r -> "backup.run.end".equals(r.entry().action()));
        assertTrue(ends.stream().anyMatch(r -> id.equals(r.entry().detail().get("runId"))
                && "completed".equals(r.entry().detail().get("outcome"))), "each run's result is an audit record");
        assertFalse(new AuditTrail(registry.dataDir()).records(r -> "backup.start".equals(r.entry().action())).isEmpty(),
                "the admin call itself is audited");
    }

    @Test
    void badInputIsA400AndWritesNothing() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("keep.txt"), "mine");
        List<String> bodies = List.of("not json", "[1]", "{}", "{\"to\":42}", "{\"to\":\"relative/dir\"}",
                "{\"to\":\"" + file + "\"}", "{\"to\":\"" + other + "\"}");
        for (String body : bodies) {
            HttpResponse<byte[]> response = api.send("POST", "/admin/backups", body.getBytes(StandardCharsets.UTF_8),
                    "Content-Type", "application/json");
            assertEquals(400, response.statusCode(), body);
            String code = errorCode(response);
            assertTrue(code.equals("BACKUP_TARGET_INVALID") || code.equals("UNSUPPORTED"), body + " -> " + code);
            assertFalse(json(response).path("errors").path(0).path("message").asText().isBlank());
        }
        HttpResponse<byte[]> empty = api.send("POST", "/admin/backups", null);
        assertEquals(400, empty.statusCode());
        assertEquals("BACKUP_TARGET_INVALID", errorCode(empty));
        assertEquals("x", Files.readString(file));
        try (Stream<Path> entries = Files.list(other)) {
            assertEquals(List.of(other.resolve("keep.txt")), entries.toList(), "nothing written");
        }
    }

    @Test
    void oneBackupAtATimeAndPushesGoOnMeanwhile() throws Exception {
        // Enough bytes that the copy (with its fsyncs) takes a while.
        byte[] big1 = OciApi.randomBytes(24 * 1024 * 1024, 90);
        byte[] big2 = OciApi.randomBytes(24 * 1024 * 1024, 91);
        byte[] config = "{\"big\":true}".getBytes(StandardCharsets.UTF_8);
        for (byte[] blob : List.of(big1, big2, config)) {
            api.pushBlob("big/app", blob);
        }
        assertEquals(201, api.send("PUT", "/v2/big/app/manifests/v1", OciApi.imageManifest(config, List.of(big1, big2), null, 0),
                "Content-Type", OCI_MANIFEST).statusCode());
        Path target = dir.resolve("busy");

        String id = json(start(target.toString())).path("id").asText();
        HttpResponse<byte[]> second = start(dir.resolve("elsewhere").toString());
        boolean sawRunning = second.statusCode() == 409;
        if (sawRunning) {
            assertEquals("BACKUP_RUNNING", errorCode(second));
            assertEquals(id, json(second).path("errors").path(0).path("detail").path("id").asText());
        }
        int pushedWhileRunning = 0;
        for (int i = 0; i < 5; i++) {
            boolean running = json(api.get("/admin/backups/" + id)).path("finishedAt").isNull();
            api.pushImage("busy/app", "t" + i, 100 + i); // asserts 201
            if (running) {
                pushedWhileRunning++;
            }
        }
        JsonNode report = awaitRun(id);
        assertEquals("completed", report.path("outcome").asText(), report.toString());
        assertTrue(sawRunning, "a second backup while one runs is refused with 409 BACKUP_RUNNING");
        assertTrue(pushedWhileRunning > 0, "pushes went on during the backup");
        assertFalse(Files.exists(dir.resolve("elsewhere")));
        // What was pushed meanwhile is in the next run.
        JsonNode next = awaitRun(json(start(target.toString())).path("id").asText());
        assertEquals("completed", next.path("outcome").asText(), next.toString());
        assertTrue(next.path("manifests").path("written").asInt() + report.path("manifests").path("written").asInt() >= 6);
    }

    private HttpResponse<byte[]> start(String to) throws Exception {
        return api.send("POST", "/admin/backups", ("{\"to\":\"" + to + "\"}").getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json");
    }

    private JsonNode awaitRun(String id) throws Exception {
        for (int i = 0; i < 600; i++) {
            JsonNode run = json(api.get("/admin/backups/" + id));
            if (!run.path("finishedAt").isNull()) {
                return run;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("backup " + id + " did not finish within 30 s");
    }

    private static List<String> blobNames(Path target) throws Exception {
        try (Stream<Path> files = Files.walk(target.resolve("blobs"))) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
