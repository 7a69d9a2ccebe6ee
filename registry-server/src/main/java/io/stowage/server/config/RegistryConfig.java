package io.stowage.server.config;

import io.stowage.audit.AuditSettings;
import io.stowage.server.tls.ClientAuthMode;
import io.stowage.server.tls.TlsSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of the registry with its default, as bound from YAML by {@link ConfigLoader}.
 * The field names are the YAML keys; each key is also an environment variable
 * ({@code storage.dataDir} is {@code REGISTRY_STORAGE_DATA_DIR}). docs/configuration.md lists them.
 * Mutable only while loading; treat as read-only afterwards.
 */
public final class RegistryConfig {
    public Http http = new Http();
    public Storage storage = new Storage();
    public Metadata metadata = new Metadata();
    public Uploads uploads = new Uploads();
    public Limits limits = new Limits();
    public Gc gc = new Gc();
    public Backup backup = new Backup();
    public Scrub scrub = new Scrub();
    public Audit audit = new Audit();
    public Auth auth = new Auth();
    public Tls tls = new Tls();
    public Replica replica = new Replica();

    /** Which replica this process is, among several sharing the audit directory (docs/scale-out.md). */
    public static final class Replica {
        /**
         * Names this replica's audit chain ({@code <audit.dir>/replicas/<id>/}): 1-63 of a-z, 0-9
         * and '-'. Empty: the id remembered in {@code <dataDir>/replica-id}, or on a first start one
         * made from the host name (a StatefulSet pod name is stable) and remembered there.
         */
        public String id = "";
    }

    /** The listener and the request-processing threads. */
    public static final class Http {
        /** {@code host:port} to listen on; loopback by default, so a first start exposes nothing. */
        public String addr = "127.0.0.1:5000";
        /**
         * Event loops that move bytes between sockets and request handlers; 0 picks half the
         * processors (at least 1). Netty's default of twice the processors measured 30-40 % fewer
         * manifest GETs per second on 2 cores than one loop: the loops only copy bytes and wake
         * workers, and more of them than cores just take turns (bench/README.md).
         */
        public int ioThreads = 0;
        /** Threads that run disk, database and hashing work for requests. */
        public int workerThreads = 32;
        /** Tasks that may wait for a worker before requests get 429. */
        public int workerQueue = 4096;
        /** How long a shutdown waits for requests in flight. */
        public Duration shutdownGrace = Duration.ofSeconds(30);
        /**
         * Load balancers and reverse proxies (addresses or CIDR ranges) whose {@code X-Forwarded-For}
         * and {@code X-Forwarded-Proto} name the client; nobody by default.
         */
        public List<String> trustedProxies = new ArrayList<>();

        /** The event loops to run: {@link #ioThreads}, or half the processors when it is 0. */
        public int effectiveIoThreads() {
            return ioThreads > 0 ? ioThreads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        }
    }

    /** Where the embedded default keeps blobs, uploads and the SQLite database. */
    public static final class Storage {
        public String dataDir = "./data";
        /**
         * Where blobs and upload sessions live: {@code filesystem} (under {@link #dataDir}) or
         * {@code s3} (the bucket of {@link #s3}, shared by replicas). Metadata is {@link Metadata}'s.
         */
        public String backend = "filesystem";
        public S3 s3 = new S3();
        /**
         * Memory for manifests read by tag or digest, answered without a database query or a
         * worker thread; 0 turns the cache off. Used only with {@code metadata.backend: sqlite}, where
         * this process is the database's only writer.
         */
        public long manifestCacheBytes = 32L * 1024 * 1024;
    }

    /** Where tags, manifests, the journal and GC state live. */
    public static final class Metadata {
        /**
         * {@code sqlite}: {@code <dataDir>/registry.db}, for one registry process. {@code postgres}: the
         * database of {@link #postgres}, which any number of replicas share.
         */
        public String backend = "sqlite";
        public Postgres postgres = new Postgres();

        /** Not a bean getter: the loader binds every getter as a key. */
        public boolean usesPostgres() {
            return "postgres".equals(backend);
        }
    }

    /** The PostgreSQL metadata database ({@code metadata.backend: postgres}); see docs/configuration.md. */
    public static final class Postgres {
        /** {@code jdbc:postgresql://host[:port]/database[?options]}. */
        public String url = "";
        public String user = "";
        /** Best from {@code REGISTRY_METADATA_POSTGRES_PASSWORD} or {@link #passwordFile}; empty for none. */
        public String password = "";
        /** A file holding the password (a mounted secret); a trailing line break is ignored. */
        public String passwordFile = "";
        /** Connections this replica holds at most. */
        public int poolSize = io.stowage.storage.meta.PostgresSettings.DEFAULT_POOL_SIZE;
        /** How long a request waits for a connection before it fails: a database that is down fails fast. */
        public Duration connectionTimeout = io.stowage.storage.meta.PostgresSettings.DEFAULT_CONNECTION_TIMEOUT;
        /** Connections this replica holds at most for digest locks, apart from {@link #poolSize}. */
        public int lockPoolSize = io.stowage.storage.meta.PostgresSettings.DEFAULT_LOCK_POOL_SIZE;

        /**
         * The store's settings, the password read from {@link #passwordFile} if that is set;
         * {@link IllegalArgumentException} names a bad key.
         */
        public io.stowage.storage.meta.PostgresSettings settings() {
            boolean hasPassword = password != null && !password.isEmpty();
            boolean hasFile = passwordFile != null && !passwordFile.isBlank();
            if (hasPassword && hasFile) {
                throw new IllegalArgumentException("set metadata.postgres.password or metadata.postgres.passwordFile, not both");
            }
            String secret = hasFile ? readPasswordFile(Path.of(passwordFile)) : password;
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException("metadata.postgres.url must be set when metadata.backend is postgres"
                        + " (jdbc:postgresql://host[:port]/database)");
            }
            try {
                return new io.stowage.storage.meta.PostgresSettings(url.strip(), user == null || user.isBlank() ? null : user,
                        secret, poolSize, connectionTimeout, lockPoolSize);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("metadata.postgres: " + e.getMessage(), e);
            }
        }

        private static String readPasswordFile(Path file) {
            try {
                String content = java.nio.file.Files.readString(file);
                return content.endsWith("\r\n") ? content.substring(0, content.length() - 2)
                        : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("metadata.postgres.passwordFile " + file + " cannot be read: " + e, e);
            }
        }
    }

    /**
     * Where a bucket is and how to sign in to it: what the blob store ({@code storage.s3}) and audit
     * shipping ({@code audit.ship}) both need, under the same key names.
     */
    public abstract static class S3Location {
        public String bucket = "";
        /** Prepended to every key, so several registries can share a bucket. */
        public String prefix = "";
        /** The S3 API endpoint of MinIO, Ceph RGW and others; empty for AWS itself. */
        public String endpoint = "";
        public String region = "us-east-1";
        /** {@code http://host/bucket/key} addressing, which most self-hosted servers need. */
        public boolean pathStyle = false;
        /** Static credentials; both empty means the SDK's default chain (environment, profile, roles). */
        public String accessKey = "";
        public String secretKey = "";
    }

    /** The S3 blob store ({@code storage.backend: s3}); see docs/configuration.md. */
    public static final class S3 extends S3Location {
        /** Bytes per multipart part while uploading, at least 5 MiB; also each upload's local spool at most. */
        public long partSize = 16L * 1024 * 1024;
        /** Answer blob GETs with 307 to a presigned URL instead of streaming through the registry. */
        public boolean redirect = false;
        public Duration redirectExpiry = Duration.ofMinutes(20);
        /** Local directory for the part an upload is filling; empty means {@code <dataDir>/s3-spool}. */
        public String spoolDir = "";

        /** The store's settings; {@link IllegalArgumentException} names a bad key. */
        public io.stowage.storage.blob.s3.S3Settings settings(Path dataDir) {
            return new io.stowage.storage.blob.s3.S3Settings(bucket, prefix,
                    endpoint == null || endpoint.isBlank() ? null : java.net.URI.create(endpoint), region, pathStyle,
                    blankToNull(accessKey), blankToNull(secretKey), partSize, redirect, redirectExpiry,
                    spoolDir == null || spoolDir.isBlank() ? dataDir.resolve("s3-spool") : Path.of(spoolDir));
        }

        private static String blankToNull(String text) {
            return text == null || text.isBlank() ? null : text;
        }
    }

    /** Abandoned upload sessions. */
    public static final class Uploads {
        /** A session idle this long is removed with its bytes (registry:2 uses a week; clients retry within minutes). */
        public Duration purgeAfter = Duration.ofHours(24);
        /** How often the purge runs. */
        public Duration purgeInterval = Duration.ofHours(1);
    }

    /** The garbage collector. */
    public static final class Gc {
        /** A blob written, mounted, checked with HEAD or referenced within this long is never swept. */
        public Duration gracePeriod = Duration.ofHours(24);
        /** Content of a deleted tag or manifest (and a moved tag's previous digest) is kept this long. */
        public Duration retention = Duration.ofDays(30);
        /** How often a collection runs on its own; PT0S turns the schedule off (runs on demand only). */
        public Duration interval = Duration.ofHours(24);
        /** Removals per batch; a pause is obeyed between batches. */
        public int batchSize = 100;
        /**
         * How long a replica's hold on the collection lasts without renewal (it renews before every
         * batch): after a collecting replica dies, the next collection may start this much later.
         */
        public Duration lease = Duration.ofMinutes(1);
    }

    /** The integrity scrub (docs/recovery.md, "Scrub findings"). */
    public static final class Scrub {
        /** How often a scrub runs on its own (counted from the last run, across restarts); PT0S turns the schedule off. */
        public Duration interval = Duration.ofDays(30);
        /**
         * How fast a scrub reads blobs, in bytes per second; 0 means no limit. 50 MiB/s reads a
         * terabyte in under six hours while leaving most of a disk's bandwidth to pulls and pushes.
         */
        public long maxBytesPerSecond = 50L * 1024 * 1024;
        /** Where scheduled (and by default, requested) scrubs fetch replacements: an absolute OCI layout path or an http(s) registry URL; empty for none. */
        public String repairFrom = "";
        /** The user name for a repairFrom registry; empty for anonymous pulls. */
        public String repairUser = "";
        /** A file whose first line is that user's password (read at each run, so it may be rotated). */
        public String repairPasswordFile = "";
    }

    /** The write-once audit log (docs/audit.md). */
    /** Scheduled backups into an OCI image layout (docs/recovery.md, "Backups"). */
    public static final class Backup {
        /** The directory the scheduled backups write (absolute); empty: none. */
        public String to = "";
        /** How often a scheduled backup runs; PT0S (the default) turns the schedule off. */
        public Duration interval = Duration.ZERO;

        public boolean scheduled() {
            return interval != null && !interval.isZero() && to != null && !to.isBlank();
        }
    }

    public static final class Audit {
        /** Off only for measuring its cost: a registry without its audit log records nothing. */
        public boolean enabled = true;
        /** Segment directory; empty means {@code <dataDir>/audit}. */
        public String dir = "";
        /** The Ed25519 checkpoint key, created on first start; empty means {@code <dataDir>/keys/audit-ed25519.pem}. */
        public String keyFile = "";
        /** A segment is sealed at about this size. */
        public long segmentMaxBytes = 64L * 1024 * 1024;
        /** Also seal a segment when the UTC day changes. */
        public boolean rotateDaily = true;
        /** An open segment gets a signed checkpoint at least this often while records arrive (at most PT1M). */
        public Duration checkpointInterval = Duration.ofMinutes(1);
        /** Mutations are refused with 503 while the audit disk has less free space than this. */
        public long minFreeBytes = 64L * 1024 * 1024;
        /** Sealed segments younger than this are never deleted (at least 13 months). */
        public Duration retention = Duration.ofDays(396);
        /** Also record /healthz and /readyz, which probes call every few seconds. */
        public boolean recordOps = true;
        /** An RFC 3161 time-stamping authority for checkpoints; empty means none. */
        public String tsaUrl = "";
        /** How long to wait for the time-stamping authority. */
        public Duration tsaTimeout = Duration.ofSeconds(10);
        /** Shipping sealed segments to an S3 bucket with Object Lock; off while {@code audit.ship.bucket} is empty. */
        public AuditShip ship = new AuditShip();

        /** The log's settings; throws {@link ConfigException} naming the bad key. */
        public AuditSettings settings(Path dataDir) {
            try {
                return new AuditSettings(directory(dataDir), segmentMaxBytes, rotateDaily, checkpointInterval,
                        minFreeBytes, retention, null);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("invalid audit.* setting: " + e.getMessage(), e);
            }
        }

        public Path directory(Path dataDir) {
            return dir == null || dir.isBlank() ? dataDir.resolve("audit") : Path.of(dir);
        }

        public Path keyPath(Path dataDir) {
            return keyFile == null || keyFile.isBlank() ? dataDir.resolve("keys").resolve("audit-ed25519.pem") : Path.of(keyFile);
        }
    }

    /**
     * Where sealed audit segments are shipped (docs/audit.md, "Shipping to WORM storage"): an S3
     * bucket with Object Lock, each object under {@code <prefix><replica>/} locked in compliance mode.
     */
    public static final class AuditShip extends S3Location {
        // bucket: it must exist, with Object Lock enabled; empty: no shipping.
        /** How long each shipped object is locked from its upload; at least 13 months (P396D). */
        public Duration retention = Duration.ofDays(396);

        public boolean enabled() {
            return bucket != null && !bucket.isBlank();
        }

        /** The connection settings of the S3 client; throws {@link ConfigException} naming the bad key. */
        public io.stowage.storage.blob.s3.S3Settings s3Settings() {
            if ((blank(accessKey)) != (blank(secretKey))) {
                throw new ConfigException("audit.ship.accessKey and audit.ship.secretKey go together", null);
            }
            java.net.URI uri = null;
            if (!blank(endpoint)) {
                if (!endpoint.matches("(?i)https?://[^\\s]+")) {
                    throw new ConfigException("audit.ship.endpoint must be an http:// or https:// URL, not '" + endpoint
                            + "'", null);
                }
                uri = java.net.URI.create(endpoint);
            }
            if (prefix != null && prefix.startsWith("/")) {
                throw new ConfigException("audit.ship.prefix must not start with '/': " + prefix, null);
            }
            return new io.stowage.storage.blob.s3.S3Settings(bucket, "", uri, region, pathStyle,
                    blank(accessKey) ? null : accessKey, blank(secretKey) ? null : secretKey,
                    io.stowage.storage.blob.s3.S3Settings.DEFAULT_PART_SIZE, false, null, null);
        }

        /** The prefix as keys use it: empty, or ending in {@code /}. */
        public String keyPrefix() {
            return blank(prefix) ? "" : prefix.endsWith("/") ? prefix : prefix + "/";
        }

        private static boolean blank(String text) {
            return text == null || text.isBlank();
        }
    }

    /** Sizes beyond which a request is refused. */
    public static final class Limits {
        /** Largest manifest accepted by PUT (413 beyond). */
        public long maxManifestBytes = 4L * 1024 * 1024;
        /** Longest request line (URI included). */
        public int maxInitialLineBytes = 8192;
        /** Largest header block of a request. */
        public int maxHeaderBytes = 16 * 1024;
        /** Open connections one client address may hold; more are answered 429 and closed. */
        public int maxConnectionsPerAddress = 256;
        /** Streamed uploads (blob POST/PATCH/PUT with a body) in progress at once; more get 429. */
        public int maxConcurrentUploads = 512;
        /** A keep-alive connection with no request for this long is closed. */
        public Duration idleTimeout = Duration.ofMinutes(2);
        /** A request's headers must be complete this long after its first byte (slowloris). */
        public Duration headerTimeout = Duration.ofSeconds(30);
        /** A body that sends nothing for this long while the server waits for it is cut off. */
        public Duration bodyIdleTimeout = Duration.ofSeconds(60);
        /** No request body (one upload request) may take longer than this. */
        public Duration maxBodyDuration = Duration.ofHours(2);
    }

    /** Who may do what (docs/security.md). Off by default: a first start on loopback needs no users. */
    public static final class Auth {
        public static final String NONE = "none";
        public static final String BASIC = "basic";
        public static final String TOKEN = "token";

        /** {@code none}, {@code basic} (passwords on every request) or {@code token} (our token endpoint and bearer tokens). */
        public String mode = NONE;
        /** The realm of the Basic challenge, shown by some clients when they ask for a password. */
        public String realm = "Stowage registry";
        /** Users and bcrypt hashes ({@code registry passwd}); required unless the mode is {@code none}. */
        public String htpasswdFile = "";
        /** Who may do what; required unless the mode is {@code none}: there is no implicit allow-all. */
        public String policyFile = "";
        /** How often the htpasswd and policy files are looked at for changes. */
        public Duration reloadCheck = Duration.ofSeconds(5);
        public Token token = new Token();
        public Throttle throttle = new Throttle();

        public boolean enabled() {
            return !NONE.equals(mode);
        }

        public boolean tokenMode() {
            return TOKEN.equals(mode);
        }
    }

    /** The token endpoint and the bearer tokens of {@code auth.mode: token}. */
    public static final class Token {
        /**
         * The absolute URL of the token endpoint that challenges send clients to; empty derives it
         * from each request as {@code http(s)://<Host header>/auth/token}. Set it when a proxy in front
         * changes the host or the scheme.
         */
        public String realm = "";
        /** The {@code service} of challenges and the {@code aud} of tokens; external token servers must use it too. */
        public String service = "stowage-registry";
        /** The {@code iss} of our tokens. */
        public String issuer = "stowage";
        /** How long a token is valid; short, since a token cannot be revoked. */
        public Duration lifetime = Duration.ofMinutes(5);
        /** Our ES256 signing key, created (mode 0600) on first start; empty means {@code <dataDir>/keys/token-es256.pem}. */
        public String keyFile = "";
        /** External token servers whose tokens are accepted too. */
        public List<TrustedIssuer> trustedIssuers = new ArrayList<>();

        public Path keyPath(Path dataDir) {
            return keyFile == null || keyFile.isBlank() ? dataDir.resolve("keys").resolve("token-es256.pem") : Path.of(keyFile);
        }
    }

    /** An external token server: its {@code iss}, its public key or certificate (PEM), and optionally the {@code kid} its tokens carry. */
    public static final class TrustedIssuer {
        public String issuer;
        public String publicKeyFile;
        /** Empty: the key's RFC 7638 thumbprint and its Docker libtrust key ID are accepted. */
        public String keyId;
    }

    /** The failed-login throttle (per user name and per client address). */
    public static final class Throttle {
        /** Failures within {@link #window} that start a block. */
        public int maxFailures = 5;
        public Duration window = Duration.ofMinutes(1);
        /** The first block; each further one doubles. */
        public Duration firstBlock = Duration.ofMinutes(1);
        /** The longest block, and the quiet time after which a key starts over. */
        public Duration maxBlock = Duration.ofMinutes(15);
        /** How many user names and addresses are tracked at most (a memory bound). */
        public int maxTrackedKeys = 100_000;
    }

    /** HTTPS on the listener (docs/security.md, "Transport"); off while certFile and keyFile are empty. */
    public static final class Tls {
        /** PEM certificates: the server's own first, then intermediates. */
        public String certFile = "";
        /** PEM private key of the first certificate (PKCS#8, PKCS#1 or SEC1), unencrypted. */
        public String keyFile = "";
        /** PEM certificates of the CAs that sign client certificates; setting it turns on mutual TLS. */
        public String clientCaFile = "";
        /** none, optional or require; empty means require when clientCaFile is set, else none. */
        public String clientAuth = "";
        /** How often the three files are looked at; a change is served to new connections. */
        public Duration reloadCheck = Duration.ofSeconds(5);

        /** The TLS settings, or empty for plain HTTP; throws {@link ConfigException} naming the bad key. */
        public Optional<TlsSettings> settings() {
            boolean cert = !isBlank(certFile);
            boolean key = !isBlank(keyFile);
            if (cert != key) {
                throw new ConfigException("tls.certFile and tls.keyFile go together: " + (cert ? "tls.keyFile" : "tls.certFile")
                        + " is missing (set both to serve HTTPS, neither for plain HTTP)", null);
            }
            if (!cert) {
                if (!isBlank(clientCaFile) || !isBlank(clientAuth)) {
                    throw new ConfigException("tls.clientCaFile and tls.clientAuth need tls.certFile and tls.keyFile", null);
                }
                return Optional.empty();
            }
            Optional<Path> ca = isBlank(clientCaFile) ? Optional.empty() : Optional.of(Path.of(clientCaFile));
            ClientAuthMode mode;
            try {
                mode = isBlank(clientAuth)
                        ? (ca.isPresent() ? ClientAuthMode.REQUIRE : ClientAuthMode.NONE)
                        : ClientAuthMode.parse(clientAuth);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("tls.clientAuth: " + e.getMessage(), e);
            }
            if (mode != ClientAuthMode.NONE && ca.isEmpty()) {
                throw new ConfigException("tls.clientAuth " + mode + " needs tls.clientCaFile, the CA that signs client certificates", null);
            }
            try {
                return Optional.of(new TlsSettings(Path.of(certFile), Path.of(keyFile), ca, mode, reloadCheck));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("invalid tls.* setting: " + e.getMessage(), e);
            }
        }

        private static boolean isBlank(String value) {
            return value == null || value.isBlank();
        }
    }
}
