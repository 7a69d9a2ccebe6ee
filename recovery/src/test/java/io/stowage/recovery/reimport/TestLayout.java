package io.stowage.recovery.reimport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stowage.gc.GcFixture;
import io.stowage.recovery.layout.OciLayout;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.MediaTypes;
import io.stowage.storage.oci.Reference;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes an OCI image layout for tests: images and indexes as blobs, index.json naming them. */
public final class TestLayout {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
    static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";

    private final Path root;
    private final ArrayNode manifests = JSON.createArrayNode();

    public TestLayout(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root.resolve("blobs/sha256"));
        Files.writeString(root.resolve(OciLayout.LAYOUT_FILE), "{\"imageLayoutVersion\":\"1.0.0\"}");
    }

    public record Image(Digest digest, byte[] manifest, String mediaType, byte[] config, List<byte[]> layers) {
        public List<Digest> blobDigests() {
            List<Digest> all = new ArrayList<>();
            all.add(Digest.sha256(config));
            layers.forEach(l -> all.add(Digest.sha256(l)));
            return all;
        }
    }

    public Path root() {
        return root;
    }

    /** An image of these layers with a config naming {@code seed}; its blobs are written, not yet named. */
    public Image image(String seed, List<byte[]> layers) throws IOException {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":\"" + seed + "\"}").getBytes(StandardCharsets.UTF_8);
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.set("config", descriptor(CONFIG_TYPE, config));
        ArrayNode layerArray = manifest.putArray("layers");
        for (byte[] layer : layers) {
            layerArray.add(descriptor(LAYER_TYPE, layer));
            writeBlob(layer);
        }
        writeBlob(config);
        byte[] bytes = JSON.writeValueAsBytes(manifest);
        writeBlob(bytes);
        return new Image(Digest.sha256(bytes), bytes, MediaTypes.OCI_MANIFEST, config, layers);
    }

    /** An index of {@code children}; its bytes are written, not yet named. */
    public Image index(List<Image> children) throws IOException {
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode array = index.putArray("manifests");
        for (Image child : children) {
            array.add(descriptor(child.mediaType(), child.manifest()));
        }
        byte[] bytes = JSON.writeValueAsBytes(index);
        writeBlob(bytes);
        return new Image(Digest.sha256(bytes), bytes, MediaTypes.OCI_INDEX, new byte[0], List.of());
    }

    /** Names {@code image} in index.json with this ref name (null: none). */
    public TestLayout name(Image image, String refName) throws IOException {
        ObjectNode descriptor = descriptor(image.mediaType(), image.manifest());
        if (refName != null) {
            descriptor.putObject("annotations").put(OciLayout.REF_NAME_ANNOTATION, refName);
        }
        manifests.add(descriptor);
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.set("manifests", manifests);
        Files.write(root.resolve(OciLayout.INDEX_FILE), JSON.writeValueAsBytes(index));
        return this;
    }

    /** Overwrites a blob's bytes in place, as a rotting disk would. */
    public void corrupt(Digest digest) throws IOException {
        Path file = OciLayout.blobPath(root, digest);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(file, bytes);
    }

    /** Pushes an image into the fixture's registry as a client would. */
    public static void push(GcFixture f, String repository, String tag, Image image) throws Exception {
        f.pushBlob(repository, image.config());
        for (byte[] layer : image.layers()) {
            f.pushBlob(repository, layer);
        }
        f.registry.putManifest(repository, Reference.ofTag(tag), image.mediaType(), image.manifest(), List.of(), "alice");
    }

    private void writeBlob(byte[] content) throws IOException {
        Files.write(OciLayout.blobPath(root, Digest.sha256(content)), content);
    }

    private static ObjectNode descriptor(String mediaType, byte[] content) {
        ObjectNode node = JSON.createObjectNode();
        node.put("mediaType", mediaType);
        node.put("digest", Digest.sha256(content).toString());
        node.put("size", content.length);
        return node;
    }
}
