package io.stowage.storage.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.stowage.storage.error.RegistryException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads the parts of an OCI image manifest, OCI image index, Docker schema 2 manifest or
 * Docker manifest list that the registry acts on, and rejects what is not one of them with
 * {@code MANIFEST_INVALID}. The bytes themselves are stored untouched. Thread-safe.
 */
public final class ManifestParser {

    /** Layers a client is told to fetch from elsewhere: not required to exist here. */
    private static final Set<String> NON_DISTRIBUTABLE_LAYERS = Set.of(
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
            "application/vnd.oci.image.layer.nondistributable.v1.tar",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd");

    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    static {
        // A manifest is at most a few MiB; deep nesting is only ever an attack.
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    private ManifestParser() {
    }

    /**
     * Parses a manifest.
     *
     * @param content     the bytes as pushed
     * @param contentType the request's {@code Content-Type} without parameters, or null
     */
    public static ParsedManifest parse(byte[] content, String contentType) {
        JsonNode root = readTree(content);
        if (!root.isObject()) {
            throw RegistryException.manifestInvalid("manifest is not a JSON object");
        }
        String declared = textOrNull(root, "mediaType");
        String mediaType = effectiveMediaType(root, declared, contentType);

        JsonNode schemaVersion = root.get("schemaVersion");
        if (schemaVersion == null || !schemaVersion.isInt() || schemaVersion.intValue() != 2) {
            throw RegistryException.manifestInvalid("schemaVersion must be 2");
        }

        List<Digest> blobs = new ArrayList<>();
        List<Digest> children = new ArrayList<>();
        String artifactType = textOrNull(root, "artifactType");
        if (MediaTypes.isIndex(mediaType)) {
            JsonNode manifests = root.get("manifests");
            if (manifests == null || !manifests.isArray()) {
                throw RegistryException.manifestInvalid("an index needs a manifests array");
            }
            for (JsonNode child : manifests) {
                children.add(descriptorDigest(child, "manifests[]"));
            }
        } else {
            JsonNode config = root.get("config");
            if (config == null || !config.isObject()) {
                throw RegistryException.manifestInvalid("an image manifest needs a config descriptor");
            }
            blobs.add(descriptorDigest(config, "config"));
            JsonNode layers = root.get("layers");
            if (layers == null || !layers.isArray()) {
                throw RegistryException.manifestInvalid("an image manifest needs a layers array");
            }
            for (JsonNode layer : layers) {
                Digest digest = descriptorDigest(layer, "layers[]");
                if (!NON_DISTRIBUTABLE_LAYERS.contains(textOrNull(layer, "mediaType"))) {
                    blobs.add(digest);
                }
            }
            if (artifactType == null) {
                artifactType = textOrNull(config, "mediaType");
            }
        }

        Digest subject = null;
        JsonNode subjectNode = root.get("subject");
        if (subjectNode != null && !subjectNode.isNull()) {
            subject = descriptorDigest(subjectNode, "subject");
        }
        JsonNode annotations = root.get("annotations");
        String annotationsJson = null;
        if (annotations != null && !annotations.isNull()) {
            if (!annotations.isObject()) {
                throw RegistryException.manifestInvalid("annotations must be an object");
            }
            annotationsJson = annotations.toString();
        }
        return new ParsedManifest(mediaType, artifactType, subject, annotationsJson, blobs, children);
    }

    private static JsonNode readTree(byte[] content) {
        try {
            JsonNode node = JSON.readTree(content);
            if (node == null) {
                throw RegistryException.manifestInvalid("manifest is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw RegistryException.manifestInvalid("manifest is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw RegistryException.manifestInvalid("manifest could not be read: " + e.getMessage());
        }
    }

    /**
     * The request's Content-Type and the body's mediaType must agree where both are given
     * (OCI image spec); where neither is, the shape of the document decides.
     */
    private static String effectiveMediaType(JsonNode root, String declared, String contentType) {
        boolean typedRequest = contentType != null && MediaTypes.MANIFEST_TYPES.contains(contentType);
        if (declared != null && !MediaTypes.MANIFEST_TYPES.contains(declared)) {
            throw RegistryException.manifestInvalid("unsupported manifest mediaType: " + declared);
        }
        if (declared != null && typedRequest && !declared.equals(contentType)) {
            throw RegistryException.manifestInvalid(
                    "Content-Type " + contentType + " does not match the manifest's mediaType " + declared);
        }
        if (declared != null) {
            return declared;
        }
        if (typedRequest) {
            return contentType;
        }
        if (root.has("manifests")) {
            return MediaTypes.OCI_INDEX;
        }
        if (root.has("config") || root.has("layers")) {
            return MediaTypes.OCI_MANIFEST;
        }
        throw RegistryException.manifestInvalid("cannot tell the manifest's media type");
    }

    private static Digest descriptorDigest(JsonNode descriptor, String where) {
        if (descriptor == null || !descriptor.isObject()) {
            throw RegistryException.manifestInvalid(where + " is not a descriptor");
        }
        String digest = textOrNull(descriptor, "digest");
        JsonNode size = descriptor.get("size");
        if (digest == null || size == null || !size.canConvertToLong() || size.longValue() < 0) {
            throw RegistryException.manifestInvalid(where + " needs a digest and a non-negative size");
        }
        if (textOrNull(descriptor, "mediaType") == null) {
            throw RegistryException.manifestInvalid(where + " needs a mediaType");
        }
        try {
            return Digest.parse(digest);
        } catch (RegistryException e) {
            throw RegistryException.manifestInvalid(where + ": " + e.getMessage());
        }
    }

    private static String textOrNull(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }
}
