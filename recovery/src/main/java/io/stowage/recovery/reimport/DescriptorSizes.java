package io.stowage.recovery.reimport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stowage.storage.oci.Digest;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The sizes a manifest declares for what it references (config, layers, child manifests), so a
 * blob is read from a source only up to the size its manifest promises: a source that sends more
 * is cut off at once instead of filling the disk before the digest check fails. Stateless.
 */
public final class DescriptorSizes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DescriptorSizes() {
    }

    /** Digest to declared size; empty when the bytes are not a manifest (the parser says why elsewhere). */
    public static Map<Digest, Long> of(byte[] manifest) {
        Map<Digest, Long> sizes = new HashMap<>();
        try {
            JsonNode root = JSON.readTree(manifest);
            if (root == null) {
                return sizes;
            }
            add(sizes, root.get("config"));
            for (String array : new String[]{"layers", "manifests"}) {
                for (JsonNode descriptor : root.path(array)) {
                    add(sizes, descriptor);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not a manifest: ManifestParser rejects it with its own message.
        }
        return sizes;
    }

    private static void add(Map<Digest, Long> sizes, JsonNode descriptor) {
        if (descriptor == null || !descriptor.path("size").canConvertToLong() || !Digest.looksLikeDigest(descriptor.path("digest").asText(""))) {
            return;
        }
        try {
            sizes.put(Digest.parse(descriptor.path("digest").asText()), descriptor.path("size").asLong());
        } catch (RuntimeException e) {
            // A malformed digest: the parser rejects the manifest.
        }
    }
}
