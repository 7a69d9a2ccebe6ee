package io.stowage.server.s3;

import io.stowage.audit.SegmentFiles;
import io.stowage.audit.ship.SegmentShipper;
import io.stowage.server.Registry;
import io.stowage.server.cli.RegistryCommand;
import io.stowage.server.config.ConfigException;
import io.stowage.server.config.RegistryConfig;
import io.stowage.storage.blob.s3.S3Clients;
import io.stowage.storage.blob.s3.S3Settings;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shipping a real registry's sealed audit segments to S3 (S3Proxy on loopback), verifying them
 * from the bucket with {@code registry audit verify --s3-bucket}, and an S3 outage while shipping.
 * S3Proxy refuses Object Lock headers (501), so {@link ObjectLockHeaders} records them on the
 * wire and takes them off: the lock is checked as asked for, never assumed enforced.
 */
class AuditShippingTest {
    private static final String ACCESS_KEY = "ship-test-access";
    private static final String SECRET_KEY = "ship-test-secret-key";
    private static final String BUCKET = "audit-worm";

    @TempDir
    Path work;
    private BlobStoreContext store;
    private S3Proxy proxy;
    private int port;
    private Registry registry;

    @BeforeEach
    void startS3() throws Exception {
        store = ContextBuilder.newBuilder("transient").credentials("identity", "credential").build(BlobStoreContext.class);
        store.getBlobStore().createContainerInLocation(null, BUCKET);
        proxy = startProxy(0);
        port = proxy.getPort();
    }

    @AfterEach
    void stopAll() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (proxy != null) {
            proxy.stop();
        }
        store.close();
    }

    private S3Proxy startProxy(int onPort) throws Exception {
        S3Proxy started = S3Proxy.builder().blobStore(store.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:" + onPort))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        started.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"STARTED".equals(started.getState()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        // Jetty may report STARTED a moment before its connector accepts: wait until it does, so the
        // registry's first shipping pass does not meet a refused connection (seen once on CI).
        while (!accepts(started.getPort()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return started;
    }

    private static boolean accepts(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private S3Settings s3() {
        return new S3Settings(BUCKET, "", URI.create("http://127.0.0.1:" + port), "us-east-1", true, ACCESS_KEY,
                SECRET_KEY, S3Settings.DEFAULT_PART_SIZE, false, null, null);
    }

    private RegistryConfig config(String bucket) {
        RegistryConfig config = new RegistryConfig();
        config.http.addr = "127.0.0.1:0";
        config.http.shutdownGrace = Duration.ofSeconds(5);
        config.storage.dataDir = work.resolve("data").toString();
        config.gc.interval = Duration.ZERO;
        config.replica.id = "ship-0";
        config.audit.segmentMaxBytes = 4096;
        config.audit.ship.bucket = bucket;
        config.audit.ship.prefix = "prod";
        config.audit.ship.endpoint = "http://127.0.0.1:" + port;
        config.audit.ship.pathStyle = true;
        config.audit.ship.accessKey = ACCESS_KEY;
        config.audit.ship.secretKey = SECRET_KEY;
        return config;
    }

    /** Requests that each leave a record, enough to seal a few 4 KiB segments. */
    private void traffic(int requests) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + registry.address().getPort() + "/v2/")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode());
        }
        // Reads are recorded after their answer; a checkpoint request queues behind them.
        registry.auditLog().checkpointNow().join();
    }

    /**
     * The sealed segments once there are at least {@code count}: a read is recorded just after its
     * answer, so the last few of {@link #traffic} may still be on their way when it returns; and a
     * segment is sealed after the write batch that crosses 4 KiB, so how many segments a number of
     * records fills depends on how the writer batched them (on a busy CI machine 80 reads sealed two).
     */
    private List<String> awaitSealed(int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<String> sealed = sealedSegments();
        while (sealed.size() < count && System.nanoTime() < deadline) {
            // Larger batches fill fewer, larger segments: more traffic until enough are sealed.
            traffic(20);
            sealed = sealedSegments();
        }
        assertTrue(sealed.size() >= count, sealed.toString());
        return sealed;
    }

    private List<String> keys() {
        List<String> keys = new java.util.ArrayList<>();
        store.getBlobStore().list(BUCKET, org.jclouds.blobstore.options.ListContainerOptions.Builder.recursive())
                .forEach(meta -> keys.add(meta.getName()));
        return keys;
    }

    private List<String> sealedSegments() throws IOException {
        Path chain = work.resolve("data/audit/replicas/ship-0");
        List<Path> segments = SegmentFiles.list(chain);
        return segments.subList(0, segments.size() - 1).stream().map(p -> p.getFileName().toString()).toList();
    }

    private record Cli(int exit, String output) {
    }

    private Cli verifyBucket() throws IOException {
        Path secret = Files.writeString(work.resolve("secret"), SECRET_KEY + "\n");
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new RegistryCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int exit = cli.execute("audit", "verify", "--s3-bucket", BUCKET, "--prefix", "prod", "--endpoint",
                "http://127.0.0.1:" + port, "--path-style", "--access-key", ACCESS_KEY, "--secret-key-file",
                secret.toString(), "--public-key", "ship-0=" + work.resolve("data/keys/audit-ed25519.pub.pem"));
        return new Cli(exit, out.toString());
    }

    @Test
    void sealedSegmentsAreShippedAndVerifyFromTheBucketAndATamperedObjectIsNamed() throws Exception {
        registry = Registry.start(config(BUCKET), Clock.systemUTC());
        traffic(80);
        SegmentShipper shipper = registry.auditShipper();
        List<String> sealed = awaitSealed(3);
        shipper.shipPending();
        Map<String, Object> shipped = shipper.status();
        for (String name : sealed) {
            assertTrue(store.getBlobStore().blobExists(BUCKET, "prod/ship-0/" + name),
                    () -> name + " not in the bucket; shipper " + shipped + ", bucket holds " + keys());
        }
        assertTrue(store.getBlobStore().blobExists(BUCKET, "prod/ship-0/audit-ed25519.pub.pem"));

        Cli intact = verifyBucket();
        assertEquals(0, intact.exit(), intact.output());
        assertTrue(intact.output().contains("OK replica ship-0"), intact.output());
        HttpResponse<String> status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + registry.address().getPort() + "/admin/audit/shipping")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, status.statusCode());
        assertTrue(status.body().contains("\"configured\":true") && status.body().contains("\"replica\":\"ship-0\"")
                && status.body().contains("\"failuresInARow\":0"), status.body());

        // Object Lock would refuse this overwrite; S3Proxy does not enforce it, so the verifier must catch it.
        String key = "prod/ship-0/" + SegmentFiles.name(2);
        String text = new String(store.getBlobStore().getBlob(BUCKET, key).getPayload().openStream().readAllBytes(),
                StandardCharsets.UTF_8);
        try (S3Client client = S3Clients.client(s3())) {
            client.putObject(b -> b.bucket(BUCKET).key(key),
                    RequestBody.fromString(text.replaceFirst("\"status\":200", "\"status\":404")));
        }
        Cli tampered = verifyBucket();
        assertEquals(1, tampered.exit(), tampered.output());
        assertTrue(tampered.output().contains("FAILED replica ship-0 segment " + SegmentFiles.name(2) + " seq "),
                tampered.output());
    }

    @Test
    void anS3OutageDelaysShippingWithoutFailingRequestsAndNothingIsLost() throws Exception {
        // Down before the start: the shipper's first pass (at start) must meet the outage; stopped after
        // the start, that pass could finish first with nothing to ship and wait a whole interval.
        proxy.stop();
        registry = Registry.start(config(BUCKET), Clock.systemUTC());
        SegmentShipper shipper = registry.auditShipper();
        traffic(60); // requests keep being answered and recorded while S3 is down
        assertThrows(IOException.class, shipper::shipPending);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((int) shipper.status().get("failuresInARow") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue((int) shipper.status().get("failuresInARow") > 0, shipper.status().toString());
        List<String> sealed = sealedSegments();
        for (String name : sealed) {
            assertTrue(!shipper.isShipped(name), name);
        }
        proxy = startProxy(port);
        shipper.shipPending();
        for (String name : sealed) {
            assertTrue(shipper.isShipped(name), name);
            assertTrue(store.getBlobStore().blobExists(BUCKET, "prod/ship-0/" + name), name);
        }
        Cli intact = verifyBucket();
        assertEquals(0, intact.exit(), intact.output());
    }

    @Test
    void aPurgeOfSegmentsNotYetShippedIsRefusedAndDeletesNothing() throws Exception {
        // A year and a half of log written long ago (beyond the retention), while S3 was down.
        proxy.stop();
        registry = Registry.start(config(BUCKET), Clock.offset(Clock.systemUTC(), Duration.ofDays(-500)));
        traffic(60);
        registry.close();
        registry = Registry.start(config(BUCKET), Clock.systemUTC()); // S3 still down: the start goes ahead
        List<String> before = sealedSegments();
        HttpResponse<String> purge = purge();
        assertEquals(409, purge.statusCode(), purge.body());
        assertTrue(purge.body().contains("AUDIT_NOT_SHIPPED") && purge.body().contains(SegmentFiles.name(1)),
                purge.body());
        assertTrue(sealedSegments().containsAll(before), "nothing deleted");

        proxy = startProxy(port);
        registry.auditShipper().shipPending();
        HttpResponse<String> shippedThenPurged = purge();
        assertEquals(200, shippedThenPurged.statusCode(), shippedThenPurged.body());
        assertTrue(shippedThenPurged.body().contains(SegmentFiles.name(1)), shippedThenPurged.body());
        assertEquals(0, verifyBucket().exit(), "the bucket keeps what the disk no longer has");
    }

    private HttpResponse<String> purge() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + registry.address().getPort() + "/admin/audit/purge"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"olderThan\": \"2999-01-01T00:00:00Z\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aMissingBucketStopsTheStartWithItsName() {
        ConfigException refused = assertThrows(ConfigException.class,
                () -> registry = Registry.start(config("no-such-bucket"), Clock.systemUTC()));
        assertTrue(refused.getMessage().contains("no-such-bucket") && refused.getMessage().contains("does not exist"),
                refused.getMessage());
    }

    @Test
    void everyShippedObjectIsSentWithAComplianceLockUntilTheRetentionAndItsMd5() throws Exception {
        registry = Registry.start(config(BUCKET), Clock.systemUTC());
        Instant before = Instant.now();
        // Reads are written in batches a little after their answers: wait for a sealed segment, and
        // take the list before shipping (the shipper's own records may seal more).
        List<String> sealed = awaitSealed(1);
        registry.auditShipper().shipPending();
        for (String name : sealed) {
            ObjectLockHeaders.Recorded put = ObjectLockHeaders.forKey("/prod/ship-0/" + name);
            assertTrue(put != null, "no lock asked for " + name + ": " + ObjectLockHeaders.RECORDED);
            assertEquals(List.of("COMPLIANCE"), put.headers().get(ObjectLockHeaders.MODE));
            Instant retainUntil = Instant.parse(put.headers().get(ObjectLockHeaders.RETAIN_UNTIL).get(0));
            assertTrue(!retainUntil.isBefore(before.plus(Duration.ofDays(396)).minusSeconds(1)), retainUntil.toString());
            byte[] local = Files.readAllBytes(work.resolve("data/audit/replicas/ship-0").resolve(name));
            assertEquals(List.of(java.util.Base64.getEncoder().encodeToString(
                    java.security.MessageDigest.getInstance("MD5").digest(local))), put.headers().get("Content-MD5"));
        }
        assertTrue(ObjectLockHeaders.forKey("/prod/ship-0/audit-ed25519.pub.pem") != null);
    }
}
