package io.stowage.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.stowage.server.http.TrustedProxies;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    /**
     * The {@code REGISTRY_*} variables of {@code env} that set no key (a typo, or a key of another
     * registry's): {@link #load} ignores them, so the server names them at start rather than run with
     * a setting silently missing. {@code REGISTRY_LOG_LEVEL} is not a key but is read by the logging.
     */
    public List<String> unknownVariables(Map<String, String> env) {
        Set<String> known = new HashSet<>(List.of("REGISTRY_LOG_LEVEL"));
        keys().forEach(key -> known.add(envName(key)));
        return env.keySet().stream().filter(name -> name.startsWith(ENV_PREFIX) && !known.contains(name)).sorted().toList();
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
        String last = parts[parts.length - 1];
        if (node.get(last) instanceof ArrayNode) {
            // A list (auth.token.trustedIssuers) from a variable or flag is written as YAML flow:
            // [{issuer: corp, publicKeyFile: /etc/corp.pem}]
            node.set(last, parseList(key, value));
        } else {
            node.set(last, TextNode.valueOf(value));
        }
    }

    private static JsonNode parseList(String key, String value) {
        try {
            JsonNode list = new ObjectMapper(new YAMLFactory()).readTree(value);
            if (list == null || !list.isArray()) {
                throw new ConfigException(key + " must be a YAML list such as [{issuer: corp, publicKeyFile: /etc/corp.pem}]", null);
            }
            return list;
        } catch (JsonProcessingException e) {
            throw new ConfigException(key + " is not a YAML list: " + e.getOriginalMessage(), e);
        }
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

    private static void validateStorageBackend(RegistryConfig.Storage storage) {
        switch (storage.backend == null ? "" : storage.backend) {
            case "filesystem" -> {
            }
            case "s3" -> {
                try {
                    storage.s3.settings(Path.of(storage.dataDir));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(e.getMessage(), e);
                }
            }
            default -> throw new ConfigException("storage.backend must be filesystem or s3, was " + storage.backend, null);
        }
    }

    private static void validateMetadataBackend(RegistryConfig.Metadata metadata) {
        switch (metadata.backend == null ? "" : metadata.backend) {
            case "sqlite" -> {
            }
            case "postgres" -> {
                try {
                    metadata.postgres.settings();
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(e.getMessage(), e);
                }
            }
            default -> throw new ConfigException("metadata.backend must be sqlite or postgres, was " + metadata.backend, null);
        }
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
        try {
            TrustedProxies.of(config.http.trustedProxies);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("http.trustedProxies: " + e.getMessage(), null);
        }
        requirePositive("http.workerThreads", config.http.workerThreads);
        requirePositive("http.workerQueue", config.http.workerQueue);
        requirePositive("limits.maxManifestBytes", config.limits.maxManifestBytes);
        requirePositive("limits.maxHeaderBytes", config.limits.maxHeaderBytes);
        requirePositive("limits.maxInitialLineBytes", config.limits.maxInitialLineBytes);
        requirePositive("limits.maxConnectionsPerAddress", config.limits.maxConnectionsPerAddress);
        requirePositive("limits.maxConcurrentUploads", config.limits.maxConcurrentUploads);
        for (var timeout : java.util.Map.of("limits.idleTimeout", config.limits.idleTimeout,
                "limits.headerTimeout", config.limits.headerTimeout, "limits.bodyIdleTimeout",
                config.limits.bodyIdleTimeout, "limits.maxBodyDuration", config.limits.maxBodyDuration).entrySet()) {
            if (timeout.getValue() == null || timeout.getValue().toMillis() < 1_000) {
                throw new ConfigException(timeout.getKey() + " must be at least PT1S, was " + timeout.getValue(), null);
            }
        }
        if (config.uploads.purgeAfter.isNegative() || config.uploads.purgeInterval.isNegative()
                || config.uploads.purgeInterval.isZero()) {
            throw new ConfigException("uploads.purgeAfter must be >= 0 and uploads.purgeInterval > 0", null);
        }
        requirePositive("gc.batchSize", config.gc.batchSize);
        if (config.gc.lease == null || config.gc.lease.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException("gc.lease must be at least PT1S, was " + config.gc.lease, null);
        }
        if (config.gc.gracePeriod.isNegative() || config.gc.retention.isNegative() || config.gc.interval.isNegative()) {
            throw new ConfigException("gc.gracePeriod, gc.retention and gc.interval must be >= 0", null);
        }
        validateBackup(config.backup);
        if (config.scrub.interval == null || config.scrub.interval.isNegative()) {
            throw new ConfigException("scrub.interval must be >= 0 (PT0S turns the schedule off)", null);
        }
        if (config.scrub.maxBytesPerSecond < 0) {
            throw new ConfigException("scrub.maxBytesPerSecond must be 0 (no limit) or more, got "
                    + config.scrub.maxBytesPerSecond, null);
        }
        if (config.storage.dataDir == null || config.storage.dataDir.isBlank()) {
            throw new ConfigException("storage.dataDir must be set", null);
        }
        validateStorageBackend(config.storage);
        validateMetadataBackend(config.metadata);
        config.audit.settings(Path.of(config.storage.dataDir));
        if (config.audit.tsaTimeout.isNegative() || config.audit.tsaTimeout.isZero()) {
            throw new ConfigException("audit.tsaTimeout must be positive", null);
        }
        config.tls.settings();
        String tsa = config.audit.tsaUrl;
        if (tsa != null && !tsa.isBlank() && !tsa.matches("(?i)https?://[^\\s]+")) {
            throw new ConfigException("audit.tsaUrl must be an http:// or https:// URL, not '" + tsa + "'", null);
        }
        validateAuth(config.auth);
        validateReplica(config.replica);
        validateAuditShip(config.audit.ship);
    }

    private static void validateAuditShip(RegistryConfig.AuditShip ship) {
        if (!ship.enabled()) {
            return;
        }
        ship.s3Settings();
        try {
            io.stowage.audit.ship.ShipSettings.of(ship.retention);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    private static void validateReplica(RegistryConfig.Replica replica) {
        if (replica.id != null && !replica.id.isEmpty() && !io.stowage.audit.ReplicaId.isValid(replica.id)) {
            try {
                io.stowage.audit.ReplicaId.check(replica.id);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("replica.id: " + e.getMessage(), e);
            }
        }
    }

    private static void validateBackup(RegistryConfig.Backup backup) {
        if (backup.interval == null || backup.interval.isNegative()) {
            throw new ConfigException("backup.interval must be PT0S (off) or more", null);
        }
        String to = backup.to == null ? "" : backup.to;
        if (!backup.interval.isZero() && to.isBlank()) {
            throw new ConfigException("backup.interval is set but backup.to is not: name the directory to back up to", null);
        }
        if (!to.isBlank() && !Path.of(to).isAbsolute()) {
            throw new ConfigException("backup.to must be an absolute path, not '" + to + "'", null);
        }
        if (!backup.interval.isZero() && backup.interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException("backup.interval must be at least PT1S (or PT0S for off)", null);
        }
    }

    private static void validateAuth(RegistryConfig.Auth auth) {
        String mode = auth.mode == null ? "" : auth.mode;
        if (!List.of(RegistryConfig.Auth.NONE, RegistryConfig.Auth.BASIC, RegistryConfig.Auth.TOKEN).contains(mode)) {
            throw new ConfigException("auth.mode must be none, basic or token, not '" + mode + "'", null);
        }
        if (auth.reloadCheck == null || auth.reloadCheck.isNegative()) {
            throw new ConfigException("auth.reloadCheck must be zero (look at every request) or more", null);
        }
        if (!auth.enabled()) {
            return;
        }
        // No implicit users and no implicit allow-all: a mode without its files is a mistake.
        requireText("auth.htpasswdFile", auth.htpasswdFile, "auth.mode is " + mode + " (create it with: registry passwd --file FILE USER)");
        requireText("auth.policyFile", auth.policyFile, "auth.mode is " + mode + " (docs/security.md shows one)");
        requireText("auth.realm", auth.realm, "auth.mode is " + mode);
        requirePositive("auth.throttle.maxFailures", auth.throttle.maxFailures);
        requirePositive("auth.throttle.maxTrackedKeys", auth.throttle.maxTrackedKeys);
        requirePositiveDuration("auth.throttle.window", auth.throttle.window);
        requirePositiveDuration("auth.throttle.firstBlock", auth.throttle.firstBlock);
        requirePositiveDuration("auth.throttle.maxBlock", auth.throttle.maxBlock);
        if (auth.throttle.maxBlock.compareTo(auth.throttle.firstBlock) < 0) {
            throw new ConfigException("auth.throttle.maxBlock must be at least auth.throttle.firstBlock", null);
        }
        if (!auth.tokenMode()) {
            return;
        }
        RegistryConfig.Token token = auth.token;
        String realm = token.realm == null ? "" : token.realm;
        if (!realm.isEmpty() && !realm.matches("(?i)https?://[^\\s\"\\\\]+")) {
            throw new ConfigException("auth.token.realm must be an absolute http:// or https:// URL (or empty to derive"
                    + " it from each request's Host), not '" + realm + "'", null);
        }
        requireText("auth.token.service", token.service, "auth.mode is token");
        requireText("auth.token.issuer", token.issuer, "auth.mode is token");
        if (token.lifetime == null || token.lifetime.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException("auth.token.lifetime must be at least PT1S", null);
        }
        List<RegistryConfig.TrustedIssuer> issuers = token.trustedIssuers == null ? List.of() : token.trustedIssuers;
        for (int i = 0; i < issuers.size(); i++) {
            RegistryConfig.TrustedIssuer issuer = issuers.get(i);
            String where = "auth.token.trustedIssuers[" + i + "]";
            if (issuer == null) {
                throw new ConfigException(where + " is empty", null);
            }
            requireText(where + ".issuer", issuer.issuer, "a trusted issuer is named");
            requireText(where + ".publicKeyFile", issuer.publicKeyFile, "a trusted issuer is known by its key");
            if (issuer.issuer.equals(token.issuer)) {
                throw new ConfigException(where + ".issuer is our own auth.token.issuer '" + token.issuer + "'", null);
            }
        }
    }

    private static void requireText(String key, String value, String because) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(key + " must be set when " + because, null);
        }
    }

    private static void requirePositiveDuration(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new ConfigException(key + " must be a positive duration, got " + value, null);
        }
    }

    private static void requirePositive(String key, long value) {
        if (value <= 0) {
            throw new ConfigException(key + " must be positive, got " + value, null);
        }
    }
}
