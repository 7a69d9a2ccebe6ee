package io.stowage.server.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Writes an OCI image layout directory from bytes it makes, so end-to-end tests need no internet:
 *
 * <pre>
 * root/
 *   oci-layout                 {"imageLayoutVersion":"1.0.0"}
 *   index.json                 one entry per tag, annotated org.opencontainers.image.ref.name=TAG
 *   blobs/sha256/&lt;hex&gt;        layers (gzip'd ustar), configs, manifests, indexes
 * </pre>
 *
 * <p>Each layer is a gzip'd tar with a directory and a few files of seeded random content, so the
 * same seed always gives the same digests; the config carries {@code rootfs.diff_ids} (digests of the
 * uncompressed tars) and one history entry per layer, which podman and Docker check on load. Images
 * are added under a tag, alone or as the children of a multi-platform index. {@code index.json} is
 * rewritten after every addition, so the layout is valid at all times. Not thread-safe.
 */
final class OciLayoutBuilder {

    static final String INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";
    static final String MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
    static final String CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
    static final String LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
    static final String REF_NAME = "org.opencontainers.image.ref.name";

    static final Platform LINUX_AMD64 = new Platform("linux", "amd64", null);
    static final Platform LINUX_ARM64 = new Platform("linux", "arm64", "v8");

    private static final String CREATED = "2024-01-01T00:00:00Z";
    private static final int FILES_PER_LAYER = 3;
    private static final int MIN_FILE_BYTES = 4 * 1024;
    private static final int MAX_FILE_BYTES = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final Random random;
    private final ArrayNode tagged = JSON.createArrayNode();
    private int layersMade;

    /** Creates {@code root} with its {@code oci-layout} file and an empty index; content comes from {@code seed}. */
    OciLayoutBuilder(Path root, long seed) {
        this.root = root;
        this.random = new Random(seed);
        try {
            Files.createDirectories(root.resolve("blobs").resolve("sha256"));
            ObjectNode layout = JSON.createObjectNode().put("imageLayoutVersion", "1.0.0");
            Files.write(root.resolve("oci-layout"), JSON.writeValueAsBytes(layout));
            writeIndexJson();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create OCI layout " + root, e);
        }
    }

    Path root() {
        return root;
    }

    /** The {@code oci:DIR:TAG} reference that skopeo and podman read. */
    String reference(String tag) {
        return "oci:" + root + ":" + tag;
    }

    /** Adds a linux/amd64 image with {@code layerCount} layers under {@code tag}. */
    BuiltImage addImage(String tag, int layerCount) {
        return addImage(tag, layerCount, LINUX_AMD64);
    }

    BuiltImage addImage(String tag, int layerCount, Platform platform) {
        BuiltImage image = buildImage(layerCount, platform);
        tag(tag, image.manifest());
        return image;
    }

    /** Adds an OCI image index of a linux/amd64 and a linux/arm64 image under {@code tag}. */
    BuiltIndex addMultiPlatformIndex(String tag, int layersPerImage) {
        List<BuiltImage> images = List.of(
                buildImage(layersPerImage, LINUX_AMD64),
                buildImage(layersPerImage, LINUX_ARM64));
        ObjectNode index = JSON.createObjectNode()
                .put("schemaVersion", 2)
                .put("mediaType", INDEX_MEDIA_TYPE);
        ArrayNode manifests = index.putArray("manifests");
        for (BuiltImage image : images) {
            ObjectNode entry = descriptorJson(image.manifest());
            ObjectNode platform = entry.putObject("platform")
                    .put("architecture", image.platform().architecture())
                    .put("os", image.platform().os());
            if (image.platform().variant() != null) {
                platform.put("variant", image.platform().variant());
            }
            manifests.add(entry);
        }
        Descriptor indexDescriptor = writeBlob(INDEX_MEDIA_TYPE, json(index));
        tag(tag, indexDescriptor);
        return new BuiltIndex(indexDescriptor, images);
    }

    private BuiltImage buildImage(int layerCount, Platform platform) {
        if (layerCount < 1) {
            throw new IllegalArgumentException("an image needs at least one layer");
        }
        List<Descriptor> layers = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (int i = 0; i < layerCount; i++) {
            byte[] tar = layerTar(layersMade++);
            diffIds.add(Digests.sha256(tar));
            layers.add(writeBlob(LAYER_MEDIA_TYPE, gzip(tar)));
        }
        Descriptor config = writeBlob(CONFIG_MEDIA_TYPE, json(config(platform, diffIds)));

        ObjectNode manifest = JSON.createObjectNode()
                .put("schemaVersion", 2)
                .put("mediaType", MANIFEST_MEDIA_TYPE);
        manifest.set("config", descriptorJson(config));
        ArrayNode layerArray = manifest.putArray("layers");
        layers.forEach(layer -> layerArray.add(descriptorJson(layer)));
        Descriptor manifestDescriptor = writeBlob(MANIFEST_MEDIA_TYPE, json(manifest));
        return new BuiltImage(manifestDescriptor, config, List.copyOf(layers), List.copyOf(diffIds), platform);
    }

    private ObjectNode config(Platform platform, List<String> diffIds) {
        ObjectNode config = JSON.createObjectNode()
                .put("created", CREATED)
                .put("architecture", platform.architecture())
                .put("os", platform.os());
        if (platform.variant() != null) {
            config.put("variant", platform.variant());
        }
        ObjectNode runtime = config.putObject("config");
        runtime.putArray("Env").add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        runtime.putArray("Cmd").add("/bin/sh");
        ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        diffIds.forEach(ids::add);
        ArrayNode history = config.putArray("history");
        for (int i = 0; i < diffIds.size(); i++) {
            history.addObject().put("created", CREATED).put("created_by", "stowage e2e layer " + i);
        }
        return config;
    }

    /** A tar with {@code layer-N/} and a few files of random, incompressible content. */
    private byte[] layerTar(int layerNumber) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            TarWriter tar = new TarWriter(bytes);
            String dir = "layer-" + layerNumber + "/";
            tar.directory(dir);
            for (int f = 0; f < FILES_PER_LAYER; f++) {
                byte[] content = new byte[MIN_FILE_BYTES + random.nextInt(MAX_FILE_BYTES - MIN_FILE_BYTES)];
                random.nextBytes(content);
                tar.file(dir + "file-" + f + ".bin", content);
            }
            tar.finish();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void tag(String tag, Descriptor target) {
        for (int i = 0; i < tagged.size(); i++) {
            if (tag.equals(tagged.get(i).path("annotations").path(REF_NAME).asText())) {
                tagged.remove(i);
                break;
            }
        }
        ObjectNode entry = descriptorJson(target);
        entry.putObject("annotations").put(REF_NAME, tag);
        tagged.add(entry);
        try {
            writeIndexJson();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write index.json of " + root, e);
        }
    }

    private void writeIndexJson() throws IOException {
        ObjectNode index = JSON.createObjectNode()
                .put("schemaVersion", 2)
                .put("mediaType", INDEX_MEDIA_TYPE);
        index.set("manifests", tagged.deepCopy());
        Files.write(root.resolve("index.json"), json(index));
    }

    private Descriptor writeBlob(String mediaType, byte[] content) {
        String digest = Digests.sha256(content);
        try {
            Files.write(root.resolve("blobs").resolve("sha256").resolve(Digests.hex(digest)), content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write blob " + digest, e);
        }
        return new Descriptor(mediaType, digest, content.length);
    }

    private static ObjectNode descriptorJson(Descriptor descriptor) {
        return JSON.createObjectNode()
                .put("mediaType", descriptor.mediaType())
                .put("digest", descriptor.digest())
                .put("size", descriptor.size());
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] json(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An OCI content descriptor: what a manifest or index.json says about a blob. */
    record Descriptor(String mediaType, String digest, long size) {
    }

    /** The platform of an image; {@code variant} may be null. */
    record Platform(String os, String architecture, String variant) {
    }

    /** One image as written: its manifest, config, layers and the digests of the uncompressed layers. */
    record BuiltImage(Descriptor manifest, Descriptor config, List<Descriptor> layers, List<String> diffIds,
                      Platform platform) {
    }

    /** A multi-platform image index as written, with its child images. */
    record BuiltIndex(Descriptor index, List<BuiltImage> images) {
    }
}
