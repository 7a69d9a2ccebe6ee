package io.stowage.server.audit;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditRecord;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What lands in the audit log for each kind of request, over HTTP against a real server. */
class AuditRecordingTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry();

    private final OciApi api = new OciApi(registry);
    private final AuditTrail trail = new AuditTrail(registry.dataDir());

    @Test
    void aManifestPushIsRecordedWithEveryFieldBeforeItsAnswer() throws Exception {
        byte[] config = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = OciApi.randomBytes(3000, 1);
        api.pushBlob("audit/app", config);
        api.pushBlob("audit/app", layer);
        byte[] manifest = OciApi.imageManifest(config, List.of(layer), null, 0);
        HttpResponse<byte[]> put = api.send("PUT", "/v2/audit/app/manifests/v1", manifest,
                "Content-Type", OciApi.OCI_MANIFEST, "User-Agent", "audit-test/1.0");
        assertEquals(201, put.statusCode());
        String requestId = put.headers().firstValue("X-Request-Id").orElseThrow();

        // Durable before the answer: the record is in the file already, no waiting.
        AuditRecord record = only(requestId);
        AuditEntry e = record.entry();
        assertEquals("request", e.kind());
        assertEquals("manifest.put", e.action());
        assertEquals("anonymous", e.actor());
        assertEquals("127.0.0.1", e.remoteAddr());
        assertEquals("PUT", e.method());
        assertEquals("/v2/audit/app/manifests/v1", e.path());
        assertEquals("audit/app", e.repository());
        assertEquals("v1", e.reference());
        assertEquals(Digest.sha256(manifest).toString(), e.digest());
        assertEquals(201, e.status());
        assertEquals(manifest.length, e.bytesIn());
        assertEquals(0L, e.bytesOut());
        assertNotNull(e.durationMs());
        assertEquals("audit-test/1.0", e.userAgent());
        assertNotNull(record.hash());
    }

    @Test
    void readsAndFailuresAreRecordedToo() throws Exception {
        Digest digest = api.pushImage("audit/reads", "v1", 7);
        HttpResponse<byte[]> get = api.get("/v2/audit/reads/manifests/v1");
        assertEquals(200, get.statusCode());
        HttpResponse<byte[]> missing = api.get("/v2/audit/reads/manifests/nope");
        assertEquals(404, missing.statusCode());
        HttpResponse<byte[]> wrongMethod = api.send("POST", "/v2/audit/reads/tags/list", null);
        assertEquals(405, wrongMethod.statusCode());

        AuditRecord read = eventually(get.headers().firstValue("X-Request-Id").orElseThrow());
        assertEquals("manifest.get", read.entry().action());
        assertEquals(digest.toString(), read.entry().digest());
        assertEquals((long) get.body().length, read.entry().bytesOut());
        AuditRecord notFound = eventually(missing.headers().firstValue("X-Request-Id").orElseThrow());
        assertEquals(404, notFound.entry().status());
        AuditRecord refused = only(wrongMethod.headers().firstValue("X-Request-Id").orElseThrow());
        assertEquals(405, refused.entry().status());
        assertEquals("route.unknown", refused.entry().action());
    }

    @Test
    void actionsSayWhatHappened() throws Exception {
        Digest digest = api.pushImage("audit/actions", "v1", 8);
        HttpResponse<byte[]> deleteTag = api.send("DELETE", "/v2/audit/actions/manifests/v1", null);
        assertEquals(202, deleteTag.statusCode());
        HttpResponse<byte[]> undelete = api.send("POST", "/admin/repositories/audit/actions/tags/v1/undelete", null);
        assertEquals(200, undelete.statusCode());
        byte[] layer = OciApi.randomBytes(1000 + 8, 8); // the layer pushImage(..., 8) pushed
        HttpResponse<byte[]> mount = api.send("POST", "/v2/audit/other/blobs/uploads/?mount=" + Digest.sha256(layer)
                + "&from=audit/actions", null);
        assertEquals(201, mount.statusCode());
        HttpResponse<byte[]> deleteManifest = api.send("DELETE", "/v2/audit/actions/manifests/" + digest, null);
        assertEquals(202, deleteManifest.statusCode());

        assertEquals("tag.delete", only(id(deleteTag)).entry().action());
        AuditRecord restored = only(id(undelete));
        assertEquals("tag.undelete", restored.entry().action());
        assertEquals("audit/actions", restored.entry().repository());
        assertEquals("v1", restored.entry().reference());
        AuditRecord mounted = only(id(mount));
        assertEquals("blob.mount", mounted.entry().action());
        assertEquals(Digest.sha256(layer).toString(), mounted.entry().digest());
        AuditRecord manifestDeleted = only(id(deleteManifest));
        assertEquals("manifest.delete", manifestDeleted.entry().action());
        assertEquals(digest.toString(), manifestDeleted.entry().digest());
    }

    @Test
    void tagJournalEventsAndGcControlLandInTheLogNamingTheirRequest() throws Exception {
        Digest digest = api.pushImage("audit/journal", "v1", 11);
        HttpResponse<byte[]> delete = api.send("DELETE", "/v2/audit/journal/manifests/v1", null);
        assertEquals(202, delete.statusCode());
        List<AuditRecord> events = trail.records(r -> id(delete).equals(r.entry().requestId())
                && AuditEntry.EVENT.equals(r.entry().kind()));
        assertEquals(1, events.size(), events.toString());
        AuditEntry deleted = events.get(0).entry();
        assertEquals("tag.deleted", deleted.action());
        assertEquals("audit/journal", deleted.repository());
        assertEquals("v1", deleted.reference());
        assertEquals(digest.toString(), deleted.digest());
        assertEquals("anonymous", deleted.actor());
        assertTrue(events.get(0).seq() < only(id(delete)).seq(), "the event precedes the request that caused it");
        assertEquals(1, trail.records(r -> "tag.pushed".equals(r.entry().action())
                && "audit/journal".equals(r.entry().repository())).size());

        HttpResponse<byte[]> pause = api.send("POST", "/admin/gc/pause", "{\"reason\":\"recovery\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, pause.statusCode());
        HttpResponse<byte[]> resume = api.send("POST", "/admin/gc/resume", null);
        assertEquals(200, resume.statusCode());
        assertEquals("gc.pause", only(id(pause)).entry().action());
        List<AuditRecord> pauseEvents = trail.records(r -> "gc.pause".equals(r.entry().action())
                && AuditEntry.EVENT.equals(r.entry().kind()));
        assertEquals("recovery", pauseEvents.get(pauseEvents.size() - 1).entry().detail().get("reason"));
    }

    @Test
    void theQueryEndpointFiltersAndPages() throws Exception {
        for (int i = 0; i < 5; i++) {
            api.pushImage("audit/query", "v" + i, 20 + i);
        }
        List<String> seen = new ArrayList<>();
        String after = null;
        for (int page = 0; page < 10; page++) {
            HttpResponse<byte[]> response = api.get("/admin/audit?repository=audit/query&action=manifest.put&limit=2"
                    + (after == null ? "" : "&after=" + after));
            assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
            var body = OciApi.json(response);
            for (var record : body.path("records")) {
                assertEquals("manifest.put", record.path("action").asText());
                assertEquals("audit/query", record.path("repository").asText());
                assertEquals(201, record.path("status").asInt());
                assertFalse(record.path("hash").asText().isEmpty());
                seen.add(record.path("reference").asText());
            }
            if (body.path("next").isNull()) {
                break;
            }
            after = body.path("next").asText();
        }
        assertEquals(List.of("v0", "v1", "v2", "v3", "v4"), seen);

        HttpResponse<byte[]> since = api.get("/admin/audit?repository=audit/query&since=2999-01-01T00:00:00Z");
        assertEquals(0, OciApi.json(since).path("records").size());
        for (String bad : List.of("limit=0", "limit=abc", "status=42", "since=yesterday", "after=-1",
                "since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z")) {
            HttpResponse<byte[]> refused = api.get("/admin/audit?" + bad);
            assertEquals(400, refused.statusCode(), bad);
            assertTrue(OciApi.json(refused).path("errors").path(0).path("message").asText().contains("invalid audit query"), bad);
        }
    }

    @Test
    void purgeNeverTouchesSegmentsInsideTheRetentionAndIsItselfRecorded() throws Exception {
        long segments = Files.list(trail.directory()).count();
        HttpResponse<byte[]> purge = api.send("POST", "/admin/audit/purge",
                "{\"olderThan\":\"2999-01-01T00:00:00Z\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, purge.statusCode(), new String(purge.body(), StandardCharsets.UTF_8));
        assertEquals(0, OciApi.json(purge).path("purged").size(), "everything is younger than 13 months");
        assertEquals(segments, Files.list(trail.directory()).count());
        assertEquals("audit.purge", only(id(purge)).entry().action());
        assertEquals(400, api.send("POST", "/admin/audit/purge", "{}".getBytes(StandardCharsets.UTF_8)).statusCode());
        assertEquals(400, api.send("POST", "/admin/audit/purge",
                "{\"olderThan\":\"last year\"}".getBytes(StandardCharsets.UTF_8)).statusCode());
    }

    @Test
    void credentialsNeverReachTheLog() throws Exception {
        String secret = "s3cr3t-token-" + System.nanoTime();
        HttpResponse<byte[]> response = api.send("PUT", "/v2/audit/secret/manifests/v1", "{}".getBytes(StandardCharsets.UTF_8),
                "Authorization", "Bearer " + secret, "Cookie", "session=" + secret, "Content-Type", OciApi.OCI_MANIFEST);
        assertEquals(400, response.statusCode());
        assertNotNull(only(id(response)));
        try (Stream<Path> files = Files.list(trail.directory())) {
            for (Path file : files.toList()) {
                assertFalse(Files.readString(file).contains(secret), file + " holds a credential");
            }
        }
    }

    @Test
    void aMalformedRequestAndAnAbandonedUploadAreRecorded() throws Exception {
        long before = trail.records().size();
        try (Socket socket = new Socket("127.0.0.1", registry.uri("/").getPort())) {
            socket.getOutputStream().write("GET /v2/ HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getInputStream().read(new byte[1024]);
        }
        try (Socket socket = new Socket("127.0.0.1", registry.uri("/").getPort())) {
            socket.getOutputStream().write(("POST /v2/audit/abandoned/blobs/uploads/ HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Length: 100000\r\n\r\n" + "x".repeat(1000)).getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(300);
        }
        List<AuditRecord> recorded = new ArrayList<>();
        for (int i = 0; i < 100 && recorded.size() < 2; i++) {
            Thread.sleep(50);
            recorded = trail.records().stream().skip(before)
                    .filter(r -> "request.malformed".equals(r.entry().action())
                            || (r.entry().status() != null && r.entry().status() == 499))
                    .toList();
        }
        assertEquals(2, recorded.size(), recorded.toString());
    }

    @Test
    void manyClientsInParallelLeaveAGapFreeVerifiedChainWithOneRecordEach() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<List<String>>> clients = new ArrayList<>();
        try {
            for (int c = 0; c < 16; c++) {
                int client = c;
                clients.add(pool.submit((Callable<List<String>>) () -> {
                    List<String> ids = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        byte[] blob = OciApi.randomBytes(500, client * 1000L + i);
                        HttpResponse<byte[]> push = api.send("POST", "/v2/audit/parallel" + client
                                + "/blobs/uploads/?digest=" + Digest.sha256(blob), blob);
                        assertEquals(201, push.statusCode());
                        ids.add(id(push));
                        HttpResponse<byte[]> head = api.send("HEAD", "/v2/audit/parallel" + client + "/blobs/"
                                + Digest.sha256(blob), null);
                        assertEquals(200, head.statusCode());
                        ids.add(id(head));
                    }
                    return ids;
                }));
            }
            Set<String> expected = new HashSet<>();
            for (Future<List<String>> f : clients) {
                expected.addAll(f.get(60, TimeUnit.SECONDS));
            }
            assertEquals(320, expected.size());
            registry.registry().auditLog().checkpointNow().join();
            List<AuditRecord> records = List.of();
            for (int i = 0; i < 100; i++) {
                records = trail.records();
                Set<String> seen = new HashSet<>();
                records.forEach(r -> seen.add(r.entry().requestId()));
                if (seen.containsAll(expected)) {
                    break;
                }
                Thread.sleep(50);
            }
            for (int i = 1; i < records.size(); i++) {
                assertEquals(records.get(i - 1).seq() + 1, records.get(i).seq(), "gap-free sequence");
            }
            for (String id : expected) {
                assertEquals(1, records.stream().filter(r -> id.equals(r.entry().requestId())
                        && AuditEntry.REQUEST.equals(r.entry().kind())).count(), id);
            }
            assertTrue(trail.verify(true).ok(), trail.verify(true).toString());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theLiveVerifyEndpointAndThePublicKey() throws Exception {
        api.pushImage("audit/verify", "v1", 9);
        HttpResponse<byte[]> verify = api.get("/admin/audit/verify");
        assertEquals(200, verify.statusCode());
        assertTrue(OciApi.json(verify).path("ok").asBoolean(), new String(verify.body(), StandardCharsets.UTF_8));
        assertTrue(OciApi.json(verify).path("lastSeq").asLong() > 0);
        HttpResponse<byte[]> key = api.get("/admin/audit/public-key");
        assertEquals(200, key.statusCode());
        assertEquals(Files.readString(trail.publicKeyFile()), new String(key.body(), StandardCharsets.US_ASCII));
    }

    private static String id(HttpResponse<byte[]> response) {
        return response.headers().firstValue("X-Request-Id").orElseThrow();
    }

    /** The one record of a request whose answer waited for it (a mutation, or a refusal before any handler). */
    private AuditRecord only(String requestId) throws IOException {
        List<AuditRecord> found = trail.records(r -> requestId.equals(r.entry().requestId())
                && AuditEntry.REQUEST.equals(r.entry().kind()));
        assertEquals(1, found.size(), "records of " + requestId);
        return found.get(0);
    }

    /** The record of a read, which lands shortly after its answer. */
    private AuditRecord eventually(String requestId) throws Exception {
        for (int i = 0; i < 100; i++) {
            List<AuditRecord> found = trail.records(r -> requestId.equals(r.entry().requestId())
                    && AuditEntry.REQUEST.equals(r.entry().kind()));
            if (!found.isEmpty()) {
                assertEquals(1, found.size());
                return found.get(0);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no record of " + requestId);
    }
}
