package io.stowage.gc;

import io.stowage.audit.AuditSink;
import io.stowage.storage.blob.DigestLocks;
import io.stowage.storage.blob.FilesystemBlobStore;
import io.stowage.storage.meta.JdbcMetadataStore;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.MediaTypes;
import io.stowage.storage.oci.Reference;
import io.stowage.storage.registry.RegistryService;
import io.stowage.storage.registry.UploadWriter;
import io.stowage.storage.testing.ManualClock;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The real embedded stores, the registry service and a collector over them, with a clock tests move. */
public final class GcFixture implements AutoCloseable {
    public final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    public final FilesystemBlobStore blobs;
    public final JdbcMetadataStore metadata;
    public final RegistryService registry;
    public final GarbageCollector gc;

    public GcFixture(Path dir, GcSettings settings) throws Exception {
        this(dir, settings, AuditSink.NONE);
    }

    /** A fixture whose collector records in {@code audit}. */
    public GcFixture(Path dir, GcSettings settings, AuditSink audit) throws Exception {
        this(dir, settings, audit, clock -> JdbcMetadataStore.openSqlite(dir.resolve("registry.db"), clock));
    }

    /** A fixture whose metadata store {@code openMetadata} opens on the fixture's clock (PostgreSQL, say). */
    public GcFixture(Path dir, GcSettings settings, AuditSink audit, Function<Clock, JdbcMetadataStore> openMetadata)
            throws Exception {
        DigestLocks locks = DigestLocks.inProcess();
        blobs = new FilesystemBlobStore(dir, clock);
        metadata = openMetadata.apply(clock);
        registry = new RegistryService(blobs, metadata, locks, clock, 4 * 1024 * 1024);
        gc = new GarbageCollector(metadata.gcStore(), blobs, locks, clock, settings, audit);
    }

    public Digest pushBlob(String repository, byte[] content) throws Exception {
        String id = registry.startUpload(repository).uploadId();
        try (UploadWriter writer = registry.openUpload(repository, id)) {
            writer.append(ByteBuffer.wrap(content));
            return writer.complete(Digest.sha256(content)).digest();
        }
    }

    /** Pushes an image of the given layers (each pushed too) under {@code tag}; returns the manifest digest. */
    public Digest pushImage(String repository, String tag, List<byte[]> layers) throws Exception {
        byte[] config = ("{\"layers\":" + layers.size() + ",\"tag\":\"" + tag + "\"}").getBytes(StandardCharsets.UTF_8);
        pushBlob(repository, config);
        List<String> descriptors = new ArrayList<>();
        for (byte[] layer : layers) {
            pushBlob(repository, layer);
            descriptors.add(descriptor(layer));
        }
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":"
                + config.length + "},\"layers\":[" + String.join(",", descriptors) + "]}";
        return registry.putManifest(repository, Reference.ofTag(tag), MediaTypes.OCI_MANIFEST,
                manifest.getBytes(StandardCharsets.UTF_8), List.of(), "test").digest();
    }

    static String descriptor(byte[] layer) {
        return "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + Digest.sha256(layer)
                + "\",\"size\":" + layer.length + "}";
    }

    public static byte[] bytes(String seed, int size) {
        byte[] bytes = new byte[size];
        byte[] pattern = seed.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (pattern[i % pattern.length] + i / pattern.length);
        }
        return bytes;
    }

    public boolean stored(Digest digest) throws Exception {
        return blobs.size(digest).isPresent();
    }

    @Override
    public void close() throws Exception {
        gc.close();
        metadata.close();
        blobs.close();
    }

}
