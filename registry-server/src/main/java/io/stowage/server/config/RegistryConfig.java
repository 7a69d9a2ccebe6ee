package io.stowage.server.config;

import java.time.Duration;

/**
 * Every setting of the registry with its default, as bound from YAML by {@link ConfigLoader}.
 * The field names are the YAML keys; each key is also an environment variable
 * ({@code storage.dataDir} is {@code REGISTRY_STORAGE_DATA_DIR}). docs/configuration.md lists them.
 * Mutable only while loading; treat as read-only afterwards.
 */
public final class RegistryConfig {
    public Http http = new Http();
    public Storage storage = new Storage();
    public Uploads uploads = new Uploads();
    public Limits limits = new Limits();
    public Gc gc = new Gc();

    /** The listener and the request-processing threads. */
    public static final class Http {
        /** {@code host:port} to listen on; loopback by default, so a first start exposes nothing. */
        public String addr = "127.0.0.1:5000";
        /** Threads that run disk, database and hashing work for requests. */
        public int workerThreads = 32;
        /** Tasks that may wait for a worker before requests get 429. */
        public int workerQueue = 4096;
        /** How long a shutdown waits for requests in flight. */
        public Duration shutdownGrace = Duration.ofSeconds(30);
    }

    /** Where the embedded default keeps blobs, uploads and the SQLite database. */
    public static final class Storage {
        public String dataDir = "./data";
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
    }

    /** Sizes beyond which a request is refused. */
    public static final class Limits {
        /** Largest manifest accepted by PUT (413 beyond). */
        public long maxManifestBytes = 4L * 1024 * 1024;
        /** Longest request line (URI included). */
        public int maxInitialLineBytes = 8192;
        /** Largest header block of a request. */
        public int maxHeaderBytes = 16 * 1024;
    }
}
