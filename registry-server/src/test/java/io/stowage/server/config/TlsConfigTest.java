package io.stowage.server.config;

import io.stowage.server.tls.ClientAuthMode;
import io.stowage.server.tls.TlsSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TlsConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    private TlsSettings settings(Map<String, String> env) {
        return loader.load(null, env, Map.of()).tls.settings().orElseThrow();
    }

    private String refusal(Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> loader.load(null, env, Map.of())).getMessage();
    }

    @Test
    void plainHttpByDefault() {
        assertEquals(Optional.empty(), loader.load(null, Map.of(), Map.of()).tls.settings());
    }

    @Test
    void certificateAndKeyFromYamlServeHttpsWithoutClientCertificates(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("registry.yml");
        Files.writeString(file, "tls:\n  certFile: /etc/stowage/tls.crt\n  keyFile: /etc/stowage/tls.key\n");
        TlsSettings tls = loader.load(file, Map.of(), Map.of()).tls.settings().orElseThrow();
        assertEquals(Path.of("/etc/stowage/tls.crt"), tls.certFile());
        assertEquals(Path.of("/etc/stowage/tls.key"), tls.keyFile());
        assertEquals(ClientAuthMode.NONE, tls.clientAuth());
        assertEquals(Optional.empty(), tls.clientCaFile());
        assertEquals(Duration.ofSeconds(5), tls.reloadCheck());
    }

    @Test
    void aCertificateWithoutItsKeyOrAKeyWithoutItsCertificateIsRefusedByName() {
        assertTrue(refusal(Map.of("REGISTRY_TLS_CERT_FILE", "/c.pem")).contains("tls.keyFile is missing"));
        assertTrue(refusal(Map.of("REGISTRY_TLS_KEY_FILE", "/k.pem")).contains("tls.certFile is missing"));
    }

    @Test
    void aClientCaTurnsOnRequiredClientCertificatesUnlessToldOtherwise() {
        Map<String, String> pair = Map.of("REGISTRY_TLS_CERT_FILE", "/c.pem", "REGISTRY_TLS_KEY_FILE", "/k.pem",
                "REGISTRY_TLS_CLIENT_CA_FILE", "/ca.pem");
        TlsSettings required = settings(pair);
        assertEquals(ClientAuthMode.REQUIRE, required.clientAuth());
        assertEquals(Optional.of(Path.of("/ca.pem")), required.clientCaFile());

        Map<String, String> optional = new java.util.HashMap<>(pair);
        optional.put("REGISTRY_TLS_CLIENT_AUTH", "Optional");
        assertEquals(ClientAuthMode.OPTIONAL, settings(optional).clientAuth());

        Map<String, String> none = new java.util.HashMap<>(pair);
        none.put("REGISTRY_TLS_CLIENT_AUTH", "none");
        assertEquals(ClientAuthMode.NONE, settings(none).clientAuth());
        assertEquals(Optional.empty(), settings(none).clientCaFile(), "a CA nothing checks against is dropped");
    }

    @Test
    void clientCertificatesWithoutACaToCheckThemAgainstAreRefused() {
        String message = refusal(Map.of("REGISTRY_TLS_CERT_FILE", "/c.pem", "REGISTRY_TLS_KEY_FILE", "/k.pem",
                "REGISTRY_TLS_CLIENT_AUTH", "require"));
        assertTrue(message.contains("tls.clientCaFile"), message);
    }

    @Test
    void unknownClientAuthModesTlsKeysWithoutACertificateAndZeroReloadChecksAreRefused() {
        Map<String, String> pair = Map.of("REGISTRY_TLS_CERT_FILE", "/c.pem", "REGISTRY_TLS_KEY_FILE", "/k.pem");
        Map<String, String> badMode = new java.util.HashMap<>(pair);
        badMode.put("REGISTRY_TLS_CLIENT_AUTH", "always");
        assertTrue(refusal(badMode).contains("tls.clientAuth"));
        assertTrue(refusal(Map.of("REGISTRY_TLS_CLIENT_CA_FILE", "/ca.pem")).contains("need tls.certFile"));
        Map<String, String> zero = new java.util.HashMap<>(pair);
        zero.put("REGISTRY_TLS_RELOAD_CHECK", "PT0S");
        assertTrue(refusal(zero).contains("reloadCheck"));
    }

    @Test
    void everyTlsKeyHasItsEnvironmentVariable() {
        assertTrue(loader.keys().containsAll(java.util.List.of("tls.certFile", "tls.keyFile", "tls.clientCaFile",
                "tls.clientAuth", "tls.reloadCheck")));
        assertEquals("REGISTRY_TLS_CLIENT_CA_FILE", ConfigLoader.envName("tls.clientCaFile"));
    }
}
