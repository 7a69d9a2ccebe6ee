package io.stowage.server.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** replica.id and audit.ship.*: defaults, environment overrides and the messages of bad values. */
class ReplicaConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    private RegistryConfig load(Map<String, String> env) {
        return loader.load(null, env, Map.of());
    }

    @Test
    void replicaIdIsADnsLabelOrEmpty() {
        assertEquals("", load(Map.of()).replica.id);
        assertEquals("registry-0", load(Map.of("REGISTRY_REPLICA_ID", "registry-0")).replica.id);
        for (String bad : new String[]{"Registry-0", "registry_0", "-a", "a".repeat(64), "a.b"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of("REGISTRY_REPLICA_ID", bad)), bad);
            assertTrue(e.getMessage().startsWith("replica.id: ") && e.getMessage().contains("DNS label"), e.getMessage());
        }
    }

    @Test
    void auditShippingIsOffByDefaultAndCheckedWhenABucketIsSet() {
        RegistryConfig defaults = load(Map.of());
        assertFalse(defaults.audit.ship.enabled());
        assertEquals(Duration.ofDays(396), defaults.audit.ship.retention);

        RegistryConfig on = load(Map.of("REGISTRY_AUDIT_SHIP_BUCKET", "audit-worm", "REGISTRY_AUDIT_SHIP_PREFIX", "prod",
                "REGISTRY_AUDIT_SHIP_ENDPOINT", "http://minio:9000", "REGISTRY_AUDIT_SHIP_PATH_STYLE", "true"));
        assertTrue(on.audit.ship.enabled());
        assertEquals("prod/", on.audit.ship.keyPrefix());
        assertEquals("audit-worm", on.audit.ship.s3Settings().bucket());
        assertTrue(on.audit.ship.s3Settings().pathStyle());

        assertTrue(assertThrows(ConfigException.class, () -> load(Map.of("REGISTRY_AUDIT_SHIP_BUCKET", "b",
                "REGISTRY_AUDIT_SHIP_RETENTION", "P30D"))).getMessage().contains("audit.ship.retention"));
        assertTrue(assertThrows(ConfigException.class, () -> load(Map.of("REGISTRY_AUDIT_SHIP_BUCKET", "b",
                "REGISTRY_AUDIT_SHIP_ACCESS_KEY", "k"))).getMessage().contains("audit.ship.secretKey"));
        assertTrue(assertThrows(ConfigException.class, () -> load(Map.of("REGISTRY_AUDIT_SHIP_BUCKET", "b",
                "REGISTRY_AUDIT_SHIP_ENDPOINT", "minio:9000"))).getMessage().contains("audit.ship.endpoint"));
        // Without a bucket, nothing else about shipping is held against the start.
        load(Map.of("REGISTRY_AUDIT_SHIP_RETENTION", "P30D"));
    }
}
