package io.stowage.gc;

import io.stowage.storage.blob.BlobContent;
import io.stowage.storage.meta.GcRunRecord;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 3 under load: pushers share layers and delete some of their tags while the collector
 * runs again and again with no grace period and no retention, on a clock that keeps moving.
 * Every manifest whose push was acknowledged and whose tag is still live must pull completely.
 */
class ConcurrentPushGcStressTest {
    private static final int PUSHERS = 4;
    private static final Duration DURATION = Duration.ofSeconds(6);
    private static final Duration MAX_DURATION = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** A fixture over the data of {@link #dir}; subclasses choose another metadata database. */
    protected GcFixture fixture(GcSettings settings) throws Exception {
        return new GcFixture(dir, settings);
    }

    @Test
    void everyAcknowledgedLiveManifestPullsCompletelyWhileGcSweepsWithZeroGrace() throws Exception {
        try (GcFixture f = fixture(new GcSettings(Duration.ZERO, Duration.ZERO, 20))) {
            List<byte[]> sharedLayers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                sharedLayers.add(GcFixture.bytes("shared-layer-" + i, 20_000 + i));
            }
            Map<String, Digest> liveTags = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger acknowledged = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            AtomicInteger runs = new AtomicInteger();
            AtomicInteger swept = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(PUSHERS + 2);
            try {
                List<Future<?>> tasks = new ArrayList<>();
                tasks.add(pool.submit(() -> {
                    while (!stop.get()) {
                        f.clock.advance(Duration.ofSeconds(1));
                        Thread.sleep(5);
                    }
                    return null;
                }));
                tasks.add(pool.submit(() -> {
                    while (!stop.get()) {
                        GcRunRecord run = f.gc.start(false).completion().get(60, TimeUnit.SECONDS);
                        assertEquals("completed", run.outcome(), run.error());
                        runs.incrementAndGet();
                        swept.addAndGet((int) run.sweptBlobs());
                        // Back-to-back runs would refuse almost every push (zero grace); leave pushers room.
                        Thread.sleep(10);
                    }
                    return null;
                }));
                for (int p = 0; p < PUSHERS; p++) {
                    int pusher = p;
                    tasks.add(pool.submit(() -> {
                        for (int i = 0; !stop.get() && i < 10_000; i++) {
                            String tag = "p" + pusher + "-" + i;
                            List<byte[]> layers = List.of(sharedLayers.get((pusher + i) % sharedLayers.size()),
                                    sharedLayers.get((pusher + 2 * i + 1) % sharedLayers.size()),
                                    GcFixture.bytes("own-" + tag, 5_000));
                            try {
                                Digest digest = f.pushImage("stress/app", tag, layers);
                                liveTags.put(tag, digest);
                                acknowledged.incrementAndGet();
                            } catch (io.stowage.storage.error.RegistryException e) {
                                // The collector took an unreferenced blob between its upload and the manifest:
                                // the push is refused, never acknowledged, which is what zero grace allows.
                                refused.incrementAndGet();
                            }
                            if (i % 3 == 0 && liveTags.remove(tag) != null) {
                                f.registry.deleteManifest("stress/app", Reference.ofTag(tag), "stress");
                            }
                        }
                        return null;
                    }));
                }
                // Run for DURATION, and on a slow or busy machine longer, until the test has exercised
                // enough pushes and collections to mean something (bounded by MAX_DURATION).
                long start = System.nanoTime();
                while (System.nanoTime() - start < MAX_DURATION.toNanos()
                        && (System.nanoTime() - start < DURATION.toNanos() || acknowledged.get() <= 20 || runs.get() <= 3)) {
                    Thread.sleep(50);
                }
                stop.set(true);
                for (Future<?> task : tasks) {
                    task.get(120, TimeUnit.SECONDS);
                }
            } finally {
                stop.set(true);
                pool.shutdownNow();
            }
            assertTrue(acknowledged.get() > 20, "enough pushes: " + acknowledged.get());
            assertTrue(runs.get() > 3, "enough collections: " + runs.get());
            assertTrue(swept.get() > 0, "the collector did remove garbage");

            // One last collection after the load, then everything live must be whole.
            f.clock.advance(Duration.ofSeconds(5));
            f.gc.start(false).completion().get(60, TimeUnit.SECONDS);
            for (Map.Entry<String, Digest> live : liveTags.entrySet()) {
                var manifest = f.metadata.findManifestByTag("stress/app", live.getKey());
                assertTrue(manifest.isPresent(), "tag " + live.getKey() + " lost its manifest");
                assertEquals(live.getValue(), manifest.get().digest());
                for (Digest blob : f.metadata.findManifestGraph("stress/app", live.getValue()).orElseThrow().blobs()) {
                    assertTrue(f.registry.statBlob("stress/app", blob) >= 0);
                    assertEquals(blob, hashOf(f, blob), "blob " + blob + " of " + live.getKey());
                }
            }
            System.out.printf("gc stress: %d pushes acknowledged, %d refused, %d runs swept %d blobs, %d live tags verified%n",
                    acknowledged.get(), refused.get(), runs.get(), swept.get(), liveTags.size());
        }
    }

    private static Digest hashOf(GcFixture f, Digest blob) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (BlobContent content = f.blobs.open(blob).orElseThrow(() -> new AssertionError("bytes gone: " + blob));
             InputStream in = Channels.newInputStream(content.read(0, content.size()))) {
            byte[] buffer = new byte[65536];
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha.update(buffer, 0, n);
            }
        }
        return Digest.fromBytes(Digest.Algorithm.SHA256, sha.digest());
    }
}
