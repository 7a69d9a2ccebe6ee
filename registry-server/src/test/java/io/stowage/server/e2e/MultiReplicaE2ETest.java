package io.stowage.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stowage.storage.blob.s3.S3ProxyServer;
import io.stowage.storage.meta.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 8's proof on loopback: three replicas of the registry, each its own process, sharing one
 * PostgreSQL database (a throw-away cluster) and one S3 server (S3Proxy), with no load balancer: the
 * test picks the replica of every request. Pushes through one replica pull from another, a chunked
 * upload moves to another replica at every PATCH, a tag deleted on one is undeleted on another, a GC
 * pause on one holds every replica, concurrent pushes through all three while collections run lose
 * nothing, and a replica killed while holding the collection lease is replaced once the lease runs out.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiReplicaE2ETest {
    /** Short, so the test waits seconds, not the production minute. */
    private static final Duration LEASE = Duration.ofSeconds(4);
    /**
     * Blobs younger than this are never collected; garbage made by a test is older once it waited this
     * long. Long enough for a pusher on this loaded machine to push its manifest after its layers (at
     * 5 s a layer acknowledged 6 s before its manifest was, rightly, collected first).
     */
    private static final Duration GRACE = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Kept when a test fails: the replicas' logs are in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;

    private static S3ProxyServer s3;
    private static ReplicaProcess a;
    private static ReplicaProcess b;
    private static ReplicaProcess c;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startReplicas() throws Exception {
        PostgresServer.Database database = PostgresServer.shared().createDatabase();
        s3 = S3ProxyServer.start();
        Map<String, String> shared = new HashMap<>();
        shared.put("REGISTRY_STORAGE_BACKEND", "s3");
        shared.put("REGISTRY_STORAGE_S3_BUCKET", S3ProxyServer.BUCKET);
        shared.put("REGISTRY_STORAGE_S3_PREFIX", "replicated/");
        shared.put("REGISTRY_STORAGE_S3_ENDPOINT", s3.endpoint().toString());
        shared.put("REGISTRY_STORAGE_S3_PATH_STYLE", "true");
        shared.put("REGISTRY_STORAGE_S3_ACCESS_KEY", S3ProxyServer.ACCESS_KEY);
        shared.put("REGISTRY_STORAGE_S3_SECRET_KEY", S3ProxyServer.SECRET_KEY);
        shared.put("REGISTRY_STORAGE_S3_PART_SIZE", String.valueOf(5 * 1024 * 1024));
        shared.put("REGISTRY_METADATA_BACKEND", "postgres");
        shared.put("REGISTRY_METADATA_POSTGRES_URL", database.jdbcUrl());
        shared.put("REGISTRY_METADATA_POSTGRES_USER", database.user());
        shared.put("REGISTRY_METADATA_POSTGRES_PASSWORD", database.password());
        shared.put("REGISTRY_GC_INTERVAL", "PT0S");
        shared.put("REGISTRY_GC_GRACE_PERIOD", GRACE.toString());
        shared.put("REGISTRY_GC_RETENTION", "PT0S");
        shared.put("REGISTRY_GC_LEASE", LEASE.toString());
        shared.put("REGISTRY_GC_BATCH_SIZE", "1");
        shared.put("REGISTRY_SCRUB_INTERVAL", "PT0S");
        shared.put("REGISTRY_AUDIT_DIR", work.resolve("audit").toString());

        a = ReplicaProcess.start("a", work, shared);
        b = ReplicaProcess.start("b", work, shared);
        c = ReplicaProcess.start("c", work, shared);
    }

    @AfterAll
    static void stopReplicas() throws Exception {
        for (ReplicaProcess replica : new ReplicaProcess[] {a, b, c}) {
            if (replica != null) {
                replica.close();
            }
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    @Order(1)
    void skopeoPushesThroughOneReplicaAndPullsFromAnother() throws Exception {
        Tools.requireOnPath("skopeo");
        OciLayoutBuilder source = new OciLayoutBuilder(work.resolve("source"), 11);
        OciLayoutBuilder.BuiltImage image = source.addImage("v1", 2);
        Skopeo skopeo = new Skopeo();

        skopeo.push(source.reference("v1"), "docker://" + a.hostPort() + "/multi/app:v1", false);

        Path copy = work.resolve("copy");
        skopeo.pull("docker://" + b.hostPort() + "/multi/app:v1", "oci:" + copy + ":v1", false);
        OciLayoutReader back = new OciLayoutReader(copy);
        assertEquals(image.manifest().digest(), back.digestOf("v1"), "manifest pulled from another replica");
        for (OciLayoutBuilder.Descriptor layer : image.layers()) {
            assertEquals(layer.digest(), Digests.sha256(back.blobPath(layer.digest())));
        }
        assertEquals(image.manifest().digest(),
                Digests.sha256(skopeo.inspectRaw("docker://" + c.hostPort() + "/multi/app:v1")), "and from the third");
    }

    @Test
    @Order(2)
    void aChunkedUploadMovesToAnotherReplicaAtEveryPatch() throws Exception {
        byte[] content = new byte[13 * 1024 * 1024 + 5];
        new SplittableRandom(3).nextBytes(content);
        String digest = Digests.sha256(content);
        ReplicaProcess[] turn = {b, c, a, b, c};
        int chunk = 3 * 1024 * 1024;

        HttpResponse<String> started = send(a, "POST", "/v2/multi/chunked/blobs/uploads/", null);
        assertEquals(202, started.statusCode(), started.body());
        String location = started.headers().firstValue("Location").orElseThrow();
        for (int i = 0, from = 0; from < content.length; i++, from += chunk) {
            int to = Math.min(content.length, from + chunk);
            byte[] part = java.util.Arrays.copyOfRange(content, from, to);
            HttpResponse<String> patched = send(turn[i % turn.length], "PATCH", location, part,
                    "Content-Type", "application/octet-stream", "Content-Range", from + "-" + (to - 1));
            assertEquals(202, patched.statusCode(), "PATCH " + (i + 1) + " on replica " + turn[i % turn.length].id()
                    + ": " + patched.body());
            assertEquals("0-" + (to - 1), patched.headers().firstValue("Range").orElseThrow());
            location = patched.headers().firstValue("Location").orElseThrow();
        }
        String separator = location.contains("?") ? "&" : "?";
        HttpResponse<String> closed = send(a, "PUT", location + separator + "digest=" + digest, null);
        assertEquals(201, closed.statusCode(), closed.body());

        for (ReplicaProcess replica : List.of(a, b, c)) {
            OciHttpClient.BlobRead read = new OciHttpClient(replica.baseUri()).getBlob("multi/chunked", digest);
            assertEquals(200, read.status(), replica.id() + ": " + read.errorBody());
            assertEquals(digest, read.digest());
            assertEquals(content.length, read.length());
        }
    }

    @Test
    @Order(3)
    void aTagDeletedOnOneReplicaIsUndeletedFromAnother() throws Exception {
        PushLedger ledger = pushImages("multi/journal", a, 1, 1, 5);
        PushLedger.PushedManifest pushed = ledger.acknowledgedManifests().get(0);
        String path = "/v2/multi/journal/manifests/" + pushed.tag();

        assertEquals(202, send(b, "DELETE", path, null).statusCode());
        assertEquals(404, send(c, "GET", path, null, "Accept", OciLayoutBuilder.MANIFEST_MEDIA_TYPE).statusCode());

        HttpResponse<String> undelete = send(c, "POST",
                "/admin/repositories/multi/journal/tags/" + pushed.tag() + "/undelete", null);
        assertEquals(200, undelete.statusCode(), undelete.body());
        HttpResponse<String> back = send(a, "GET", path, null, "Accept", OciLayoutBuilder.MANIFEST_MEDIA_TYPE);
        assertEquals(200, back.statusCode());
        assertEquals(pushed.digest(), back.headers().firstValue("Docker-Content-Digest").orElseThrow());

        JsonNode history = json(send(b, "GET", "/admin/repositories/multi/journal/tags/" + pushed.tag() + "/history", null));
        List<String> events = new ArrayList<>();
        history.path("events").forEach(e -> events.add(e.path("type").asText()));
        assertEquals(List.of("restored", "deleted", "pushed"), events, "one journal, whichever replica wrote it");
    }

    @Test
    @Order(4)
    void aGcPauseOnOneReplicaHoldsEveryReplica() throws Exception {
        assertEquals(200, send(a, "POST", "/admin/gc/pause", "{\"reason\":\"drill\"}".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json").statusCode());
        try {
            for (ReplicaProcess replica : List.of(b, c)) {
                JsonNode status = json(send(replica, "GET", "/admin/gc", null));
                assertTrue(status.path("paused").asBoolean(), replica.id() + " sees the pause: " + status);
                assertEquals("drill", status.path("pauseReason").asText());
            }
            HttpResponse<String> refused = send(c, "POST", "/admin/gc/runs", null);
            assertEquals(409, refused.statusCode());
            assertEquals("GC_PAUSED", json(refused).path("errors").path(0).path("code").asText());
        } finally {
            assertEquals(200, send(b, "POST", "/admin/gc/resume", null).statusCode());
        }
        assertFalse(json(send(a, "GET", "/admin/gc", null)).path("paused").asBoolean(), "resumed from another replica");
    }

    @Test
    @Order(5)
    void concurrentPushesThroughEveryReplicaWhileCollectionsRunLoseNothing() throws Exception {
        byte[] sharedLayer = new byte[ConcurrentPusher.MIN_LAYER_BYTES];
        new SplittableRandom(17).nextBytes(sharedLayer);
        // Garbage: images whose tags are deleted, so their blobs, the shared layer among them, are
        // collectable once older than the grace period; the pushers below then push that same layer
        // again while collections sweep.
        PushLedger garbage = pushImages("multi/garbage", a, 3, 2, 21, sharedLayer);
        for (PushLedger.PushedManifest manifest : garbage.acknowledgedManifests()) {
            assertEquals(202, send(b, "DELETE", "/v2/multi/garbage/manifests/" + manifest.tag(), null).statusCode());
        }
        Thread.sleep(GRACE.plusMillis(500).toMillis());

        PushLedger ledger = new PushLedger();
        ExecutorService pushers = Executors.newFixedThreadPool(6);
        List<Future<?>> running = new ArrayList<>();
        List<ReplicaProcess> replicas = List.of(a, b, c);
        for (int i = 0; i < 6; i++) {
            OciHttpClient client = new OciHttpClient(replicas.get(i % 3).baseUri(), Duration.ofSeconds(60));
            running.add(pushers.submit(new ConcurrentPusher(i, "multi/busy-" + (i % 2), sharedLayer, client, ledger,
                    new AtomicBoolean(), 6, 100 + i)));
        }
        List<String> runIds = new ArrayList<>();
        int turn = 0;
        while (running.stream().anyMatch(f -> !f.isDone())) {
            HttpResponse<String> started = send(replicas.get(turn++ % 3), "POST", "/admin/gc/runs", null);
            if (started.statusCode() == 202) {
                runIds.add(json(started).path("id").asText());
            } else {
                assertEquals(409, started.statusCode(), started.body());
            }
            Thread.sleep(150);
        }
        pushers.shutdown();
        assertTrue(pushers.awaitTermination(60, TimeUnit.SECONDS));
        awaitIdle();

        assertEquals(List.of(), ledger.unexpectedFailures(), "every push was acknowledged");
        assertTrue(runIds.size() >= 2, "collections ran during the pushes: " + runIds);
        long swept = 0;
        for (String id : runIds) {
            JsonNode run = json(send(a, "GET", "/admin/gc/runs/" + id, null));
            assertEquals("completed", run.path("outcome").asText(), run.toString());
            swept += run.path("swept").path("blobs").asLong() + run.path("swept").path("manifests").asLong();
        }
        assertTrue(swept > 0, "the garbage was really collected while pushes ran");
        for (ReplicaProcess replica : replicas) {
            List<String> violations = new ArrayList<>();
            ledger.checkAcknowledged(new OciHttpClient(replica.baseUri()), violations);
            assertEquals(List.of(), violations, "through replica " + replica.id());
        }
    }

    @Test
    @Order(6)
    void aReplicaKilledHoldingTheGcLeaseIsReplacedWithinTheLeaseTime() throws Exception {
        OciHttpClient client = new OciHttpClient(a.baseUri());
        SplittableRandom random = new SplittableRandom(99);
        for (int i = 0; i < 150; i++) {
            byte[] orphan = new byte[64];
            random.nextBytes(orphan);
            client.pushBlob("multi/orphans", orphan);
        }
        Thread.sleep(GRACE.plusMillis(500).toMillis());

        HttpResponse<String> started = send(a, "POST", "/admin/gc/runs", null);
        assertEquals(202, started.statusCode(), started.body());
        a.kill();
        long killedAt = System.nanoTime();

        HttpResponse<String> first = send(b, "POST", "/admin/gc/runs", null);
        assertEquals(409, first.statusCode(), "the dead replica's lease still holds: " + first.body());
        assertEquals("GC_RUNNING", json(first).path("errors").path(0).path("code").asText());
        assertTrue(json(first).path("errors").path(0).path("detail").path("holder").asText().startsWith("a/"),
                "the holder names the dead replica: " + first.body());
        String takeover = null;
        while (takeover == null && System.nanoTime() - killedAt < LEASE.plusSeconds(10).toNanos()) {
            Thread.sleep(200);
            HttpResponse<String> again = send(b, "POST", "/admin/gc/runs", null);
            if (again.statusCode() == 202) {
                takeover = json(again).path("id").asText();
            }
        }
        Duration waited = Duration.ofNanos(System.nanoTime() - killedAt);
        assertTrue(takeover != null, "no replica took over within " + waited);
        assertTrue(waited.compareTo(LEASE.plusSeconds(3)) <= 0, "took over after " + waited + ", lease " + LEASE);

        JsonNode run = awaitRun(b, takeover);
        assertEquals("completed", run.path("outcome").asText(), run.toString());
        assertTrue(run.path("swept").path("blobs").asLong() > 0, "the replacement collected: " + run);

        a.relaunch();
        assertEquals(200, send(a, "GET", "/v2/", null).statusCode(), "the killed replica is back");
    }

    @Test
    @Order(7)
    void everyReplicasAuditChainVerifiesFromAnyReplica() throws Exception {
        HttpResponse<String> verify = send(c, "GET", "/admin/audit/verify", null);
        assertEquals(200, verify.statusCode(), verify.body());
        JsonNode report = json(verify);
        List<String> replicas = new ArrayList<>();
        report.path("replicas").forEach(chain -> replicas.add(chain.path("replica").asText()));
        assertTrue(replicas.containsAll(List.of("a", "b", "c")), "one chain per replica: " + report);
        assertTrue(report.path("ok").asBoolean(), "every chain verifies, the killed replica's too: " + report);

        HttpResponse<String> fromA = send(b, "GET", "/admin/audit?replica=a&action=gc.run.start", null);
        assertEquals(200, fromA.statusCode(), fromA.body());
        assertTrue(json(fromA).path("records").size() > 0, "b's query API shows a's records: " + fromA.body());
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static PushLedger pushImages(String repository, ReplicaProcess through, int pushers, int images, long seed)
            throws Exception {
        byte[] layer = new byte[ConcurrentPusher.MIN_LAYER_BYTES];
        new SplittableRandom(seed).nextBytes(layer);
        return pushImages(repository, through, pushers, images, seed, layer);
    }

    private static PushLedger pushImages(String repository, ReplicaProcess through, int pushers, int images, long seed,
                                         byte[] sharedLayer) throws Exception {
        PushLedger ledger = new PushLedger();
        OciHttpClient client = new OciHttpClient(through.baseUri());
        for (int i = 0; i < pushers; i++) {
            new ConcurrentPusher(i, repository, sharedLayer, client, ledger, new AtomicBoolean(), images, seed + i).run();
        }
        assertEquals(List.of(), ledger.unexpectedFailures());
        return ledger;
    }

    /** Waits until no collection runs on any replica (the newest run has finished). */
    private void awaitIdle() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode runs = json(send(b, "GET", "/admin/gc/runs", null)).path("runs");
            boolean finished = true;
            for (JsonNode run : runs) {
                finished &= !run.path("finishedAt").isNull() && !run.path("finishedAt").isMissingNode();
            }
            if (finished) {
                return;
            }
            Thread.sleep(200);
        }
        fail("collections still running after 60 s");
    }

    private JsonNode awaitRun(ReplicaProcess replica, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode run = json(send(replica, "GET", "/admin/gc/runs/" + id, null));
            if (!run.path("finishedAt").isNull() && !run.path("finishedAt").isMissingNode()) {
                return run;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("run " + id + " did not finish within 60 s");
    }

    private HttpResponse<String> send(ReplicaProcess replica, String method, String pathOrLocation, byte[] body,
                                      String... headers) throws Exception {
        URI uri = pathOrLocation.startsWith("http")
                ? replica.baseUri().resolve(URI.create(pathOrLocation).getRawPath()
                + (URI.create(pathOrLocation).getRawQuery() == null ? "" : "?" + URI.create(pathOrLocation).getRawQuery()))
                : replica.baseUri().resolve(pathOrLocation);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }
}
