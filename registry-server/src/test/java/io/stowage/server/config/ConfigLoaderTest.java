package io.stowage.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void defaultsServeAFirstRunOnLoopback() {
        RegistryConfig config = loader.load(null, Map.of(), Map.of());
        assertEquals("127.0.0.1:5000", config.http.addr);
        assertEquals("./data", config.storage.dataDir);
        assertEquals(4L * 1024 * 1024, config.limits.maxManifestBytes);
    }

    @Test
    void s3BackendIsConfiguredFromTheEnvironmentAndChecked() {
        assertEquals("filesystem", loader.load(null, Map.of(), Map.of()).storage.backend);

        RegistryConfig s3 = loader.load(null, Map.of("REGISTRY_STORAGE_BACKEND", "s3",
                "REGISTRY_STORAGE_S3_BUCKET", "images", "REGISTRY_STORAGE_S3_ENDPOINT", "http://minio:9000",
                "REGISTRY_STORAGE_S3_PATH_STYLE", "true", "REGISTRY_STORAGE_S3_ACCESS_KEY", "ak",
                "REGISTRY_STORAGE_S3_SECRET_KEY", "sk", "REGISTRY_STORAGE_S3_REDIRECT", "true"), Map.of());
        var settings = s3.storage.s3.settings(java.nio.file.Path.of("/data"));
        assertEquals("images", settings.bucket());
        assertEquals(java.net.URI.create("http://minio:9000"), settings.endpoint());
        assertEquals(true, settings.pathStyle() && settings.redirect() && settings.staticCredentials());
        assertEquals(java.nio.file.Path.of("/data/s3-spool"), settings.spoolDir());
        assertEquals(false, settings.toString().contains("sk"), "the secret is never printed");

        assertThrows(ConfigException.class, () -> loader.load(null, Map.of("REGISTRY_STORAGE_BACKEND", "s3"), Map.of()),
                "a bucket is required");
        assertThrows(ConfigException.class, () -> loader.load(null, Map.of("REGISTRY_STORAGE_BACKEND", "gcs"), Map.of()));
        assertThrows(ConfigException.class, () -> loader.load(null, Map.of("REGISTRY_STORAGE_BACKEND", "s3",
                "REGISTRY_STORAGE_S3_BUCKET", "b", "REGISTRY_STORAGE_S3_PART_SIZE", "1024"), Map.of()), "parts of 5 MiB at least");
        assertThrows(ConfigException.class, () -> loader.load(null, Map.of("REGISTRY_STORAGE_BACKEND", "s3",
                "REGISTRY_STORAGE_S3_BUCKET", "b", "REGISTRY_STORAGE_S3_ACCESS_KEY", "only-half"), Map.of()));
    }

    @Test
    void postgresMetadataIsConfiguredFromTheEnvironmentAndChecked(@TempDir Path dir) throws Exception {
        assertEquals("sqlite", loader.load(null, Map.of(), Map.of()).metadata.backend);

        RegistryConfig pg = loader.load(null, Map.of("REGISTRY_METADATA_BACKEND", "postgres",
                "REGISTRY_METADATA_POSTGRES_URL", "jdbc:postgresql://db:5432/registry",
                "REGISTRY_METADATA_POSTGRES_USER", "registry", "REGISTRY_METADATA_POSTGRES_PASSWORD", "s3cret",
                "REGISTRY_METADATA_POSTGRES_POOL_SIZE", "32", "REGISTRY_METADATA_POSTGRES_CONNECTION_TIMEOUT", "PT2S",
                "REGISTRY_METADATA_POSTGRES_LOCK_POOL_SIZE", "48"), Map.of());
        var settings = pg.metadata.postgres.settings();
        assertEquals("jdbc:postgresql://db:5432/registry", settings.jdbcUrl());
        assertEquals("registry", settings.user());
        assertEquals("s3cret", settings.password());
        assertEquals(32, settings.poolSize());
        assertEquals(Duration.ofSeconds(2), settings.connectionTimeout());
        assertEquals(48, settings.lockPoolSize());
        assertEquals(false, settings.toString().contains("s3cret"), "the password is never printed");

        RegistryConfig defaults = loader.load(null, Map.of("REGISTRY_METADATA_BACKEND", "postgres",
                "REGISTRY_METADATA_POSTGRES_URL", "jdbc:postgresql://db/registry"), Map.of());
        assertEquals(16, defaults.metadata.postgres.settings().poolSize());
        assertEquals(32, defaults.metadata.postgres.settings().lockPoolSize());
        assertEquals(Duration.ofSeconds(5), defaults.metadata.postgres.settings().connectionTimeout());

        Path secret = dir.resolve("pg-password");
        Files.writeString(secret, "from-a-file\n");
        RegistryConfig fromFile = loader.load(null, Map.of("REGISTRY_METADATA_BACKEND", "postgres",
                "REGISTRY_METADATA_POSTGRES_URL", "jdbc:postgresql://db/registry",
                "REGISTRY_METADATA_POSTGRES_PASSWORD_FILE", secret.toString()), Map.of());
        assertEquals("from-a-file", fromFile.metadata.postgres.settings().password(), "the line break is not part of it");
    }

    @Test
    void badPostgresSettingsStopTheLoadWithTheKeyNamed(@TempDir Path dir) {
        Map<String, String> base = Map.of("REGISTRY_METADATA_BACKEND", "postgres");
        assertMessage("metadata.postgres.url must be set", base);
        assertMessage("jdbc:postgresql://host[:port]/database, not 'postgres://db/registry'",
                with(base, "REGISTRY_METADATA_POSTGRES_URL", "postgres://db/registry"));
        Map<String, String> url = with(base, "REGISTRY_METADATA_POSTGRES_URL", "jdbc:postgresql://db/registry");
        assertMessage("pool size must be at least 1, not 0", with(url, "REGISTRY_METADATA_POSTGRES_POOL_SIZE", "0"));
        assertMessage("connection timeout must be at least 250ms", with(url, "REGISTRY_METADATA_POSTGRES_CONNECTION_TIMEOUT", "PT0S"));
        assertMessage("password or metadata.postgres.passwordFile, not both", with(with(url,
                "REGISTRY_METADATA_POSTGRES_PASSWORD", "x"), "REGISTRY_METADATA_POSTGRES_PASSWORD_FILE", "/etc/pg"));
        assertMessage("passwordFile " + dir.resolve("missing") + " cannot be read",
                with(url, "REGISTRY_METADATA_POSTGRES_PASSWORD_FILE", dir.resolve("missing").toString()));
        assertMessage("metadata.backend must be sqlite or postgres, was mysql", Map.of("REGISTRY_METADATA_BACKEND", "mysql"));
        // Settings of a backend not chosen are not checked.
        assertEquals("sqlite", loader.load(null, Map.of("REGISTRY_METADATA_POSTGRES_POOL_SIZE", "0"), Map.of()).metadata.backend);
    }

    private void assertMessage(String expected, Map<String, String> env) {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(null, env, Map.of()));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static Map<String, String> with(Map<String, String> env, String key, String value) {
        Map<String, String> more = new HashMap<>(env);
        more.put(key, value);
        return more;
    }

    @Test
    void yamlThenEnvironmentThenFlagsEachOverrideTheOneBefore(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("registry.yml");
        Files.writeString(file, "http:\n  addr: 127.0.0.1:6000\n  workerThreads: 4\nstorage:\n  dataDir: /from/yaml\nuploads:\n  purgeAfter: PT2H\n");
        Map<String, String> env = Map.of("REGISTRY_HTTP_WORKER_THREADS", "8", "REGISTRY_STORAGE_DATA_DIR", "/from/env");
        Map<String, String> flags = new HashMap<>();
        flags.put("storage.dataDir", "/from/flag");
        flags.put("http.addr", null);
        RegistryConfig config = loader.load(file, env, flags);
        assertEquals("127.0.0.1:6000", config.http.addr);
        assertEquals(8, config.http.workerThreads);
        assertEquals("/from/flag", config.storage.dataDir);
        assertEquals(Duration.ofHours(2), config.uploads.purgeAfter);
    }

    @Test
    void garbageCollectionSettingsHaveSafeDefaultsAndTakeIsoDurations() {
        RegistryConfig defaults = loader.load(null, Map.of(), Map.of());
        assertEquals(Duration.ofHours(24), defaults.gc.gracePeriod);
        assertEquals(Duration.ofDays(30), defaults.gc.retention);
        RegistryConfig tuned = loader.load(null, Map.of("REGISTRY_GC_GRACE_PERIOD", "PT0S", "REGISTRY_GC_RETENTION", "P7D"), Map.of());
        assertEquals(Duration.ZERO, tuned.gc.gracePeriod);
        assertEquals(Duration.ofDays(7), tuned.gc.retention);
        assertThrows(ConfigException.class, () -> loader.load(null, Map.of("REGISTRY_GC_RETENTION", "-PT1H"), Map.of()));
    }

    @Test
    void backupsAreOffByDefaultAndAScheduleNeedsAnAbsoluteDirectory() {
        RegistryConfig defaults = loader.load(null, Map.of(), Map.of());
        assertEquals(Duration.ZERO, defaults.backup.interval);
        assertEquals(false, defaults.backup.scheduled());
        RegistryConfig hourly = loader.load(null, Map.of("REGISTRY_BACKUP_TO", "/var/backups/registry",
                "REGISTRY_BACKUP_INTERVAL", "PT1H"), Map.of());
        assertEquals("/var/backups/registry", hourly.backup.to);
        assertEquals(Duration.ofHours(1), hourly.backup.interval);
        assertTrue(hourly.backup.scheduled());
        ConfigException noDirectory = assertThrows(ConfigException.class,
                () -> loader.load(null, Map.of("REGISTRY_BACKUP_INTERVAL", "PT1H"), Map.of()));
        assertTrue(noDirectory.getMessage().contains("backup.to"), noDirectory.getMessage());
        assertThrows(ConfigException.class, () -> loader.load(null, Map.of("REGISTRY_BACKUP_TO", "backups"), Map.of()));
        assertThrows(ConfigException.class, () -> loader.load(null, Map.of("REGISTRY_BACKUP_TO", "/b",
                "REGISTRY_BACKUP_INTERVAL", "-PT1H"), Map.of()));
    }

    @Test
    void scrubRunsMonthlyAtFiftyMebibytesASecondAndTakesItsKeysFromTheEnvironment() {
        RegistryConfig defaults = loader.load(null, Map.of(), Map.of());
        assertEquals(Duration.ofDays(30), defaults.scrub.interval);
        assertEquals(50L * 1024 * 1024, defaults.scrub.maxBytesPerSecond);
        assertEquals("", defaults.scrub.repairFrom);

        RegistryConfig set = loader.load(null, Map.of("REGISTRY_SCRUB_INTERVAL", "P7D",
                "REGISTRY_SCRUB_MAX_BYTES_PER_SECOND", "0", "REGISTRY_SCRUB_REPAIR_FROM", "/backups/latest"), Map.of());
        assertEquals(Duration.ofDays(7), set.scrub.interval);
        assertEquals(0, set.scrub.maxBytesPerSecond);
        assertEquals("/backups/latest", set.scrub.repairFrom);
        assertThrows(ConfigException.class,
                () -> loader.load(null, Map.of("REGISTRY_SCRUB_MAX_BYTES_PER_SECOND", "-1"), Map.of()));
        assertThrows(ConfigException.class, () -> loader.load(null, Map.of("REGISTRY_SCRUB_INTERVAL", "-PT1H"), Map.of()));
    }

    @Test
    void auditSettingsHaveTheRegulatedDefaultsAndRefuseWeakerOnes() {
        RegistryConfig config = loader.load(null, Map.of(), Map.of());
        assertEquals(true, config.audit.enabled);
        assertEquals(java.time.Duration.ofDays(396), config.audit.retention);
        assertEquals(java.time.Duration.ofMinutes(1), config.audit.checkpointInterval);
        assertThrows(ConfigException.class, () -> loader.load(null, Map.of("REGISTRY_AUDIT_RETENTION", "P30D"), Map.of()));
        assertThrows(ConfigException.class, () -> loader.load(null, Map.of("REGISTRY_AUDIT_CHECKPOINT_INTERVAL", "PT5M"), Map.of()));
        assertThrows(ConfigException.class, () -> loader.load(null, Map.of("REGISTRY_AUDIT_SEGMENT_MAX_BYTES", "100"), Map.of()));
        assertThrows(ConfigException.class, () -> loader.load(null, Map.of("REGISTRY_AUDIT_TSA_URL", "ftp://tsa"), Map.of()));
        assertEquals("https://tsa.example/tsr",
                loader.load(null, Map.of("REGISTRY_AUDIT_TSA_URL", "https://tsa.example/tsr"), Map.of()).audit.tsaUrl);
    }

    @Test
    void everyKeyHasAnEnvironmentVariable() {
        assertTrue(loader.keys().contains("storage.dataDir"));
        assertEquals("REGISTRY_STORAGE_DATA_DIR", ConfigLoader.envName("storage.dataDir"));
        assertEquals("REGISTRY_HTTP_ADDR", ConfigLoader.envName("http.addr"));
    }

    @Test
    void unknownKeysAndBadValuesFailTheStart(@TempDir Path dir) throws Exception {
        Path typo = dir.resolve("typo.yml");
        Files.writeString(typo, "http:\n  adr: 127.0.0.1:1\n");
        assertThrows(ConfigException.class, () -> loader.load(typo, Map.of(), Map.of()));
        assertThrows(ConfigException.class, () -> loader.load(null, Map.of("REGISTRY_HTTP_WORKER_THREADS", "many"), Map.of()));
        assertThrows(ConfigException.class, () -> loader.load(null, Map.of(), Map.of("http.addr", "no-port")));
        assertThrows(ConfigException.class, () -> loader.load(null, Map.of("REGISTRY_HTTP_WORKER_THREADS", "0"), Map.of()));
    }

    @Test
    void authIsOffByDefaultAndBasicOrTokenNeedTheirFiles() {
        RegistryConfig defaults = loader.load(null, Map.of(), Map.of());
        assertEquals("none", defaults.auth.mode);
        assertEquals(Duration.ofMinutes(5), defaults.auth.token.lifetime);
        assertEquals(5, defaults.auth.throttle.maxFailures);

        ConfigException noUsers = assertThrows(ConfigException.class,
                () -> loader.load(null, Map.of("REGISTRY_AUTH_MODE", "basic", "REGISTRY_AUTH_POLICY_FILE", "/p.yml"), Map.of()));
        assertTrue(noUsers.getMessage().startsWith("auth.htpasswdFile must be set"), noUsers.getMessage());
        ConfigException noPolicy = assertThrows(ConfigException.class,
                () -> loader.load(null, Map.of("REGISTRY_AUTH_MODE", "token", "REGISTRY_AUTH_HTPASSWD_FILE", "/u"), Map.of()));
        assertTrue(noPolicy.getMessage().startsWith("auth.policyFile must be set"), noPolicy.getMessage());
        ConfigException mode = assertThrows(ConfigException.class,
                () -> loader.load(null, Map.of("REGISTRY_AUTH_MODE", "ldap"), Map.of()));
        assertTrue(mode.getMessage().contains("auth.mode"), mode.getMessage());
    }

    @Test
    void tokenSettingsAreCheckedAndTrustedIssuersCanComeFromTheEnvironment(@TempDir Path dir) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("REGISTRY_AUTH_MODE", "token",
                "REGISTRY_AUTH_HTPASSWD_FILE", "/u", "REGISTRY_AUTH_POLICY_FILE", "/p"));
        env.put("REGISTRY_AUTH_TOKEN_TRUSTED_ISSUERS", "[{issuer: corp, publicKeyFile: /etc/corp.pem}]");
        RegistryConfig config = loader.load(null, env, Map.of());
        assertEquals(1, config.auth.token.trustedIssuers.size());
        assertEquals("corp", config.auth.token.trustedIssuers.get(0).issuer);
        assertEquals(dir.resolve("keys").resolve("token-es256.pem"), config.auth.token.keyPath(dir));

        Map<String, String> badRealm = new HashMap<>(env);
        badRealm.put("REGISTRY_AUTH_TOKEN_REALM", "registry.example.com/token");
        ConfigException realm = assertThrows(ConfigException.class, () -> loader.load(null, badRealm, Map.of()));
        assertTrue(realm.getMessage().startsWith("auth.token.realm"), realm.getMessage());

        Path file = dir.resolve("registry.yml");
        Files.writeString(file, "auth:\n  token:\n    trustedIssuers:\n      - issuer: corp\n");
        Map<String, String> fromFile = new HashMap<>(env);
        fromFile.remove("REGISTRY_AUTH_TOKEN_TRUSTED_ISSUERS");
        ConfigException noKey = assertThrows(ConfigException.class, () -> loader.load(file, fromFile, Map.of()));
        assertTrue(noKey.getMessage().contains("auth.token.trustedIssuers[0].publicKeyFile"), noKey.getMessage());

        Map<String, String> throttle = new HashMap<>(env);
        throttle.put("REGISTRY_AUTH_THROTTLE_MAX_BLOCK", "PT10S");
        assertThrows(ConfigException.class, () -> loader.load(null, throttle, Map.of()));
    }

    @Test
    void trustedProxiesAreAddressesOrRangesFromFileOrEnvironment() {
        RegistryConfig config = loader.load(null, Map.of("REGISTRY_HTTP_TRUSTED_PROXIES", "[10.0.0.0/8, 192.0.2.7]"), Map.of());
        assertEquals(java.util.List.of("10.0.0.0/8", "192.0.2.7"), config.http.trustedProxies);
        ConfigException name = assertThrows(ConfigException.class,
                () -> loader.load(null, Map.of("REGISTRY_HTTP_TRUSTED_PROXIES", "[lb.internal]"), Map.of()));
        assertTrue(name.getMessage().contains("http.trustedProxies") && name.getMessage().contains("lb.internal"),
                name.getMessage());
    }

    @Test
    void variablesThatSetNoKeyAreNamedNotSilentlyDropped() {
        Map<String, String> env = Map.of("REGISTRY_STORAGE_DATA_DIR", "/data", "REGISTRY_STORAGE_DATADIR", "/typo",
                "REGISTRY_STORAGE_DELETE_ENABLED", "true", "REGISTRY_LOG_LEVEL", "DEBUG", "PATH", "/usr/bin");
        assertEquals(java.util.List.of("REGISTRY_STORAGE_DATADIR", "REGISTRY_STORAGE_DELETE_ENABLED"), loader.unknownVariables(env));
    }
}
