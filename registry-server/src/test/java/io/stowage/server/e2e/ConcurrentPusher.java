package io.stowage.server.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client that pushes small images to one repository in a loop, as fast as the registry takes
 * them, and writes every attempt and every 201 into a {@link PushLedger}. An image is a layer shared
 * by all pushers (so the same blob is uploaded concurrently), one or two layers of 64 KiB to 4 MiB
 * of random bytes (monolithic or chunked upload, at random), a config, and an OCI manifest under a
 * tag of its own ({@code p<pusher>-<n>}). The loop ends after {@code maxImages}, when {@code crashing}
 * is set, or at the first failure. Runs on one thread.
 */
final class ConcurrentPusher implements Runnable {

    static final int MIN_LAYER_BYTES = 64 * 1024;
    static final int MAX_LAYER_BYTES = 4 * 1024 * 1024;
    private static final int CHUNK_BYTES = 512 * 1024;
    private static final String LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int id;
    private final String repository;
    private final byte[] sharedLayer;
    private final OciHttpClient client;
    private final PushLedger ledger;
    private final AtomicBoolean crashing;
    private final int maxImages;
    private final SplittableRandom random;

    ConcurrentPusher(int id, String repository, byte[] sharedLayer, OciHttpClient client, PushLedger ledger,
                     AtomicBoolean crashing, int maxImages, long seed) {
        this.id = id;
        this.repository = repository;
        this.sharedLayer = sharedLayer;
        this.client = client;
        this.ledger = ledger;
        this.crashing = crashing;
        this.maxImages = maxImages;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public void run() {
        for (int n = 0; n < maxImages && !crashing.get(); n++) {
            try {
                pushImage("p" + id + "-" + n);
            } catch (IOException | RuntimeException e) {
                if (!crashing.get()) {
                    ledger.unexpectedFailure("pusher " + id + " image " + n + ": " + e);
                }
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void pushImage(String tag) throws IOException, InterruptedException {
        List<PushLedger.PushedBlob> layers = new ArrayList<>();
        layers.add(pushBlob(sharedLayer));
        int ownLayers = 1 + random.nextInt(2);
        for (int i = 0; i < ownLayers; i++) {
            byte[] layer = new byte[random.nextInt(MIN_LAYER_BYTES, MAX_LAYER_BYTES + 1)];
            random.nextBytes(layer);
            layers.add(pushBlob(layer));
        }
        PushLedger.PushedBlob config = pushBlob(config(tag));

        byte[] manifest = manifest(config, layers);
        List<PushLedger.PushedBlob> referenced = new ArrayList<>(layers);
        referenced.add(config);
        PushLedger.PushedManifest pushed = new PushLedger.PushedManifest(
                repository, tag, Digests.sha256(manifest), manifest, List.copyOf(referenced));
        ledger.manifestAttempted(pushed);
        client.pushManifest(repository, tag, OciLayoutBuilder.MANIFEST_MEDIA_TYPE, manifest);
        ledger.manifestAcknowledged(pushed);
    }

    private PushLedger.PushedBlob pushBlob(byte[] content) throws IOException, InterruptedException {
        String digest = Digests.sha256(content);
        PushLedger.PushedBlob blob = new PushLedger.PushedBlob(repository, digest, content.length);
        ledger.blobAttempted(blob);
        if (random.nextBoolean()) {
            client.pushBlob(repository, digest, content);
        } else {
            client.pushBlobInChunks(repository, content, CHUNK_BYTES);
        }
        ledger.blobAcknowledged(blob);
        return blob;
    }

    private byte[] config(String tag) {
        ObjectNode config = JSON.createObjectNode()
                .put("architecture", "amd64")
                .put("os", "linux");
        config.putObject("config").putObject("Labels").put("stowage.e2e.tag", tag);
        config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
        return json(config);
    }

    private static byte[] manifest(PushLedger.PushedBlob config, List<PushLedger.PushedBlob> layers) {
        ObjectNode manifest = JSON.createObjectNode()
                .put("schemaVersion", 2)
                .put("mediaType", OciLayoutBuilder.MANIFEST_MEDIA_TYPE);
        manifest.putObject("config")
                .put("mediaType", OciLayoutBuilder.CONFIG_MEDIA_TYPE)
                .put("digest", config.digest())
                .put("size", config.size());
        ArrayNode array = manifest.putArray("layers");
        for (PushLedger.PushedBlob layer : layers) {
            array.addObject()
                    .put("mediaType", LAYER_MEDIA_TYPE)
                    .put("digest", layer.digest())
                    .put("size", layer.size());
        }
        return json(manifest);
    }

    private static byte[] json(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
