package io.stowage.server.e2e;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditRecord;
import io.stowage.audit.VerifyReport;
import io.stowage.server.audit.AuditTrail;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Invariant 2, "an acknowledged push survives a crash": eight clients push images concurrently, the
 * server is killed with SIGKILL while they are at it, and after a restart on the same data directory
 * every manifest and blob that got its 201 pulls back byte for byte, while content that was never
 * acknowledged is either absent or correct, never partial.
 */
class CrashRecoveryE2ETest {

    private static final int PUSHERS = 8;
    private static final int MAX_IMAGES_PER_PUSHER = 500;
    /** Kill no earlier than this, and only once this many manifests were acknowledged... */
    private static final Duration MIN_PUSHING = Duration.ofSeconds(2);
    private static final int MIN_ACKNOWLEDGED_MANIFESTS = 16;
    /** ...but no later than this, whatever happened. */
    private static final Duration MAX_PUSHING = Duration.ofSeconds(30);
    private static final Duration PUSHERS_STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_REPORTED_VIOLATIONS = 40;

    @RegisterExtension
    final RegistryExtension server = new RegistryExtension();

    @Test
    void everyAcknowledgedPushPullsBackAfterKillNineAndNothingPartialIsVisible() throws Exception {
        RegistryUnderTest registry = server.registry();
        PushLedger ledger = new PushLedger();
        AtomicBoolean crashing = new AtomicBoolean();

        Duration pushed = pushConcurrentlyThenKill(registry, ledger, crashing);

        assertTrue(ledger.unexpectedFailures().isEmpty(),
                "pushes failed before the kill:\n" + String.join("\n", ledger.unexpectedFailures()));
        assertTrue(ledger.acknowledgedManifestCount() > 0,
                "no manifest push was acknowledged within " + pushed.toSeconds() + " s: nothing to check");

        registry.restart();

        OciHttpClient client = new OciHttpClient(registry.baseUri());
        List<String> violations = new ArrayList<>();
        ledger.checkAcknowledged(client, violations);
        ledger.checkUnacknowledged(client, violations);
        System.out.printf("crash test against %s: pushed for %d ms; %d manifests and %d blobs acknowledged, "
                        + "%d manifests and %d blobs in flight at the kill%n",
                registry.name(), pushed.toMillis(), ledger.acknowledgedManifestCount(),
                ledger.acknowledgedBlobs().size(), ledger.unacknowledgedManifests().size(),
                ledger.unacknowledgedBlobs().size());
        if (!violations.isEmpty()) {
            fail(violations.size() + " violations after restart:\n"
                    + String.join("\n", violations.subList(0, Math.min(violations.size(), MAX_REPORTED_VIOLATIONS))));
        }

        pushAndPullOneMoreImage(client);
        if (registry instanceof StowageProcess stowage) {
            checkAuditLog(new AuditTrail(stowage.dataDir()), ledger);
        }
    }

    /**
     * Invariant 6 across the crash: the log verifies as one chain through the kill and the restart,
     * and every push a client saw succeed has its record.
     */
    private static void checkAuditLog(AuditTrail trail, PushLedger ledger) throws Exception {
        VerifyReport report = trail.verify(true);
        assertTrue(report.ok(), report.toString());
        List<AuditRecord> records = trail.records();
        assertEquals(2, records.stream().filter(r -> "audit.open".equals(r.entry().action())).count(),
                "one opening before and one after the crash, in one chain");
        Set<String> manifestPuts = new HashSet<>();
        Set<String> blobUploads = new HashSet<>();
        for (AuditRecord record : records) {
            AuditEntry e = record.entry();
            if (e.status() != null && e.status() == 201) {
                String key = e.repository() + "|" + e.digest();
                if ("manifest.put".equals(e.action())) {
                    manifestPuts.add(key + "|" + e.reference());
                } else if (e.action().startsWith("blob.upload.")) {
                    blobUploads.add(key);
                }
            }
        }
        List<String> missing = new ArrayList<>();
        for (PushLedger.PushedManifest manifest : ledger.acknowledgedManifests()) {
            if (!manifestPuts.contains(manifest.repository() + "|" + manifest.digest() + "|" + manifest.tag())) {
                missing.add("manifest.put " + manifest.repository() + ":" + manifest.tag());
            }
        }
        for (PushLedger.PushedBlob blob : ledger.acknowledgedBlobs()) {
            if (!blobUploads.contains(blob.repository() + "|" + blob.digest())) {
                missing.add("blob upload " + blob);
            }
        }
        assertEquals(List.of(), missing.subList(0, Math.min(missing.size(), MAX_REPORTED_VIOLATIONS)),
                "acknowledged pushes without an audit record");
    }

    /** Runs the pushers until enough was acknowledged, kills the server and waits for the pushers to stop. */
    private Duration pushConcurrentlyThenKill(RegistryUnderTest registry, PushLedger ledger, AtomicBoolean crashing)
            throws InterruptedException {
        OciHttpClient client = new OciHttpClient(registry.baseUri(), Duration.ofSeconds(20));
        byte[] sharedLayer = new byte[256 * 1024];
        new SplittableRandom(42).nextBytes(sharedLayer);
        ExecutorService pool = Executors.newFixedThreadPool(PUSHERS);
        long start = System.nanoTime();
        try {
            for (int i = 0; i < PUSHERS; i++) {
                pool.execute(new ConcurrentPusher(i, "crash/app-" + (i % 4), sharedLayer, client, ledger,
                        crashing, MAX_IMAGES_PER_PUSHER, 1000L + i));
            }
            while (elapsedSince(start).compareTo(MAX_PUSHING) < 0
                    && (elapsedSince(start).compareTo(MIN_PUSHING) < 0
                        || ledger.acknowledgedManifestCount() < MIN_ACKNOWLEDGED_MANIFESTS)
                    && ledger.unexpectedFailures().isEmpty()) {
                Thread.sleep(20);
            }
            // Failures from here on are the crash's doing, not the server's.
            crashing.set(true);
            registry.kill();
        } finally {
            crashing.set(true);
            pool.shutdown();
            if (!pool.awaitTermination(PUSHERS_STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                pool.shutdownNow();
                fail("pushers did not stop within " + PUSHERS_STOP_TIMEOUT.toSeconds() + " s of the kill");
            }
        }
        return elapsedSince(start);
    }

    /** The restarted registry is not only readable: it takes a new push and serves it back. */
    private static void pushAndPullOneMoreImage(OciHttpClient client) throws Exception {
        PushLedger after = new PushLedger();
        byte[] layer = new byte[ConcurrentPusher.MIN_LAYER_BYTES];
        new SplittableRandom(7).nextBytes(layer);
        new ConcurrentPusher(99, "crash/after-restart", layer, client, after, new AtomicBoolean(), 1, 7).run();
        assertEquals(List.of(), after.unexpectedFailures(), "push after restart");
        PushLedger.PushedManifest manifest = after.acknowledgedManifests().get(0);
        OciHttpClient.ManifestRead read = client.getManifest(manifest.repository(), manifest.tag(),
                OciLayoutBuilder.MANIFEST_MEDIA_TYPE);
        assertEquals(200, read.status(), "GET manifest pushed after restart");
        assertEquals(manifest.digest(), Digests.sha256(read.body()));
    }

    private static Duration elapsedSince(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
