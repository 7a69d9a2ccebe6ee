package io.stowage.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Builds the effective {@link RegistryConfig} from, in rising precedence: the defaults, the YAML
 * file, environment variables, and command-line flags. Unknown keys and malformed values fail
 * the start with a message naming the key, rather than being ignored. Stateless.
 */
public final class ConfigLoader {
    private static final String ENV_PREFIX = "REGISTRY_";

    private final ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * @param file      the YAML file, or null
     * @param env       the environment (System.getenv() in production)
     * @param overrides flag values by dotted key (e.g. {@code http.addr}), null values ignored
     */
    public RegistryConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
        ObjectNode tree = mapper.valueToTree(new RegistryConfig());
        List<String> keys = leafKeys(tree, "");
        if (file != null) {
            merge(tree, readYaml(file));
        }
        for (String key : keys) {
            String value = env.get(envName(key));
            if (value != null) {
                set(tree, key, value);
            }
        }
        overrides.forEach((key, value) -> {
            if (value != null) {
                set(tree, key, value);
            }
        });
        try {
            RegistryConfig config = mapper.treeToValue(tree, RegistryConfig.class);
            validate(config);
            return config;
        } catch (JsonProcessingException e) {
            throw new ConfigException("invalid configuration: " + e.getOriginalMessage(), e);
        }
    }

    /** The environment variable that sets a dotted key: {@code storage.dataDir} is {@code REGISTRY_STORAGE_DATA_DIR}. */
    public static String envName(String key) {
        StringBuilder name = new StringBuilder(ENV_PREFIX);
        for (char c : key.toCharArray()) {
            if (c == '.') {
                name.append('_');
            } else if (Character.isUpperCase(c)) {
                name.append('_').append(c);
            } else {
                name.append(Character.toUpperCase(c));
            }
        }
        return name.toString();
    }

    /** Every settable dotted key with its default, for docs and {@code --help}. */
    public List<String> keys() {
        return leafKeys(mapper.valueToTree(new RegistryConfig()), "");
    }

    private JsonNode readYaml(Path file) {
        try {
            JsonNode node = mapper.readTree(Files.readAllBytes(file));
            if (node == null || node.isMissingNode() || node.isNull()) {
                return mapper.createObjectNode();
            }
            if (!node.isObject()) {
                throw new ConfigException("configuration file " + file + " is not a YAML mapping", null);
            }
            return node;
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void merge(ObjectNode target, JsonNode source) {
        Iterator<Map.Entry<String, JsonNode>> fields = source.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode existing = target.get(field.getKey());
            if (existing instanceof ObjectNode existingObject && field.getValue().isObject()) {
                merge(existingObject, field.getValue());
            } else {
                target.set(field.getKey(), field.getValue());
            }
        }
    }

    private static void set(ObjectNode tree, String key, String value) {
        String[] parts = key.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (!(child instanceof ObjectNode)) {
                throw new ConfigException("unknown configuration key: " + key, null);
            }
            node = (ObjectNode) child;
        }
        node.set(parts[parts.length - 1], TextNode.valueOf(value));
    }

    private static List<String> leafKeys(JsonNode node, String prefix) {
        List<String> keys = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
            if (field.getValue().isObject()) {
                keys.addAll(leafKeys(field.getValue(), key));
            } else {
                keys.add(key);
            }
        }
        return keys;
    }

    private static void validate(RegistryConfig config) {
        ListenAddress.parse(config.http.addr);
        if (config.http.ioThreads < 0) {
            throw new ConfigException("http.ioThreads must be 0 (half the processors) or more, was " + config.http.ioThreads, null);
        }
        if (config.storage.manifestCacheBytes < 0) {
            throw new ConfigException("storage.manifestCacheBytes must be 0 (off) or more, was "
                    + config.storage.manifestCacheBytes, null);
        }
        requirePositive("http.workerThreads", config.http.workerThreads);
        requirePositive("http.workerQueue", config.http.workerQueue);
        requirePositive("limits.maxManifestBytes", config.limits.maxManifestBytes);
        requirePositive("limits.maxHeaderBytes", config.limits.maxHeaderBytes);
        requirePositive("limits.maxInitialLineBytes", config.limits.maxInitialLineBytes);
        if (config.uploads.purgeAfter.isNegative() || config.uploads.purgeInterval.isNegative()
                || config.uploads.purgeInterval.isZero()) {
            throw new ConfigException("uploads.purgeAfter must be >= 0 and uploads.purgeInterval > 0", null);
        }
        requirePositive("gc.batchSize", config.gc.batchSize);
        if (config.gc.gracePeriod.isNegative() || config.gc.retention.isNegative() || config.gc.interval.isNegative()) {
            throw new ConfigException("gc.gracePeriod, gc.retention and gc.interval must be >= 0", null);
        }
        if (config.storage.dataDir == null || config.storage.dataDir.isBlank()) {
            throw new ConfigException("storage.dataDir must be set", null);
        }
        config.audit.settings(Path.of(config.storage.dataDir));
        if (config.audit.tsaTimeout.isNegative() || config.audit.tsaTimeout.isZero()) {
            throw new ConfigException("audit.tsaTimeout must be positive", null);
        }
        config.tls.settings();
        String tsa = config.audit.tsaUrl;
        if (tsa != null && !tsa.isBlank() && !tsa.matches("(?i)https?://[^\\s]+")) {
            throw new ConfigException("audit.tsaUrl must be an http:// or https:// URL, not '" + tsa + "'", null);
        }
    }

    private static void requirePositive(String key, long value) {
        if (value <= 0) {
            throw new ConfigException(key + " must be positive, got " + value, null);
        }
    }
}
