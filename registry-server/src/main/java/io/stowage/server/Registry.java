package io.stowage.server;

import io.stowage.audit.AuditChains;
import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditLog;
import io.stowage.audit.AuditSink;
import io.stowage.audit.SigningKey;
import io.stowage.audit.Timestamper;
import io.stowage.audit.index.ReplicaIndexes;
import io.stowage.audit.ship.SegmentShipper;
import io.stowage.audit.ship.ShipSettings;
import io.stowage.server.audit.S3SegmentArchive;
import io.stowage.audit.tsa.Rfc3161Timestamper;
import io.stowage.gc.GarbageCollector;
import io.stowage.gc.GcSettings;
import io.stowage.recovery.backup.Backups;
import io.stowage.recovery.jobs.JobLeases;
import io.stowage.recovery.journal.TagJournal;
import io.stowage.recovery.reimport.ImportJobs;
import io.stowage.recovery.reimport.LayoutImporter;
import io.stowage.recovery.reimport.PushProvenance;
import io.stowage.recovery.reimport.Reimporter;
import io.stowage.recovery.scrub.BytePacer;
import io.stowage.recovery.scrub.RepairSource;
import io.stowage.recovery.scrub.ScrubJobs;
import io.stowage.recovery.scrub.ScrubReport;
import io.stowage.recovery.scrub.ScrubSchedule;
import io.stowage.recovery.scrub.Scrubber;
import io.stowage.server.access.AccessControl;
import io.stowage.server.admin.AuditRoutes;
import io.stowage.server.admin.BackupRoutes;
import io.stowage.server.audit.TagEventAuditor;
import io.stowage.server.admin.GcRoutes;
import io.stowage.server.admin.ImportRoutes;
import io.stowage.server.admin.JournalRoutes;
import io.stowage.server.admin.ReimportRoutes;
import io.stowage.server.admin.RepairSources;
import io.stowage.server.admin.ScrubRoutes;
import io.stowage.server.config.ConfigException;
import io.stowage.server.config.ListenAddress;
import io.stowage.server.config.RegistryConfig;
import io.stowage.server.http.HttpServer;
import io.stowage.server.http.RequestAuditor;
import io.stowage.server.http.Router;
import io.stowage.server.http.TrustedProxies;
import io.stowage.server.http.WorkerPool;
import io.stowage.server.oci.OciRoutes;
import io.stowage.server.ops.OpsRoutes;
import io.stowage.server.tls.ReloadingSslContext;
import io.stowage.server.tls.TlsFileException;
import io.stowage.server.tls.TlsSettings;
import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.blob.DigestLocks;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.JdbcMetadataStore;
import io.stowage.storage.meta.PostgresDigestLocks;
import io.stowage.storage.meta.MetadataStore;
import io.stowage.storage.registry.RegistryService;
import io.stowage.storage.registry.UploadLocks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A running registry: opens the stores of the embedded default under the data directory, wires
 * the services and routes, starts the HTTP server and the background jobs, and closes all of it
 * in order (stop accepting, finish requests in flight, stop jobs, close the database and files).
 * Thread-safe; {@link #close} is idempotent.
 */
public final class Registry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Registry.class);

    private final RegistryConfig config;
    private final Path dataDir;
    private final BlobStore blobs;
    private final MetadataStore metadata;
    private final DigestLocks digestLocks;
    private final RegistryService service;
    private final GarbageCollector gc;
    private final Backups backups;
    private final AuditLog auditLog;
    private final String replicaId;
    private final ReplicaIndexes auditIndex;
    /** Null unless audit.ship is configured. */
    private final SegmentShipper auditShipper;
    private final S3SegmentArchive auditArchive;
    private final AuditSink audit;
    private final WorkerPool workers;
    private final HttpServer server;
    private final ScheduledExecutorService jobs;
    private final ImportJobs imports;
    private final ScrubJobs scrubs;
    private final ScrubSchedule scrubSchedule;
    /** Null when scrub.repairFrom is empty. */
    private final RepairSource scrubRepairFrom;
    private final InetSocketAddress address;
    private final Router router;
    /** Null for plain HTTP. */
    private final ReloadingSslContext tls;
    private boolean closed;

    private Registry(RegistryConfig config, Clock clock) throws IOException, InterruptedException {
        this.config = config;
        this.dataDir = Path.of(config.storage.dataDir).toAbsolutePath().normalize();
        this.tls = openTls(config, clock); // before anything is opened that a bad certificate would leave open
        Files.createDirectories(dataDir);
        long started = System.nanoTime();
        // First: a bad htpasswd or policy file stops the start before any store is opened.
        AccessControl access = AccessControl.fromConfig(config.auth, dataDir, clock);
        this.scrubRepairFrom = RepairSources.fromConfig(config.scrub); // a bad scrub.repairFrom too
        // Before anything that holds files or threads: an unreachable database stops the start with nothing to undo.
        JdbcMetadataStore jdbc = openMetadata(config, dataDir, clock);
        this.digestLocks = openDigestLocks(config);
        this.replicaId = ReplicaIdentity.resolve(config.replica.id, dataDir);
        AuditChains chains = new AuditChains(config.audit.directory(dataDir));
        this.auditLog = config.audit.enabled ? openAuditLog(config, dataDir, chains, replicaId, clock) : null;
        log.debug("startup auditLog ms={}", (System.nanoTime() - started) / 1_000_000);
        this.audit = auditLog == null ? AuditSink.NONE : auditLog;
        // One index file per chain; the audit-index.db of the single-chain layout is no longer read.
        this.auditIndex = auditLog == null ? null
                : new ReplicaIndexes(dataDir.resolve("audit-index"), chains, replicaId);
        if (auditIndex != null) {
            auditLog.onDurable(auditIndex::recordsDurable);
        }
        log.debug("startup auditIndex ms={}", (System.nanoTime() - started) / 1_000_000);
        // A bucket that does not exist stops the start here, before the listener opens.
        this.auditArchive = auditLog != null && config.audit.ship.enabled()
                ? openArchive(config.audit.ship, auditLog) : null;
        this.auditShipper = auditArchive == null ? null : new SegmentShipper(auditLog, auditArchive,
                ShipSettings.of(config.audit.ship.retention), clock);
        if (auditShipper != null) {
            auditLog.purgeOnly(auditShipper::isShipped, "(not yet shipped to " + auditArchive.describe() + ")");
        }
        this.blobs = BlobStores.open(config.storage, dataDir, clock);
        log.debug("startup metadata ms={}", (System.nanoTime() - started) / 1_000_000);
        this.metadata = jdbc;
        // Replicas sharing PostgreSQL may each get a request for one upload session: the lock is a lease in the database.
        UploadLocks uploadLocks = config.metadata.usesPostgres() ? UploadLocks.leased(metadata, clock) : UploadLocks.inProcess();
        this.service = new RegistryService(blobs, metadata, digestLocks, uploadLocks, clock, config.limits.maxManifestBytes);
        // This process's name in the collection lease and the job leases of the shared database.
        String leaseHolder = GarbageCollector.holder(replicaId);
        this.gc = new GarbageCollector(jdbc.gcStore(), blobs, digestLocks, clock,
                new GcSettings(config.gc.gracePeriod, config.gc.retention, config.gc.batchSize), audit,
                leaseHolder, config.gc.lease);
        jdbc.setTagEventListener(new TagEventAuditor(audit, clock));
        JobLeases jobLeases = new JobLeases(metadata, leaseHolder, clock);
        this.backups = new Backups(metadata, blobs, audit, clock, jobLeases);

        Router router = new Router();
        this.router = router;
        OciRoutes.register(router, service);
        TagJournal journal = new TagJournal(metadata, blobs, clock);
        JournalRoutes.register(router, journal);
        GcRoutes.register(router, gc);
        ReimportRoutes.register(router, new Reimporter(service, metadata, blobs, journal,
                new PushProvenance(auditIndex == null ? null : auditIndex::byReplica), audit, gc::paused, clock));
        this.imports = new ImportJobs(clock);
        ImportRoutes.register(router, imports, new LayoutImporter(service, metadata, blobs, audit, clock));
        BackupRoutes.register(router, backups, new BackupRoutes.Schedule(
                config.backup.to == null || config.backup.to.isBlank() ? null : config.backup.to, config.backup.interval));
        this.scrubs = new ScrubJobs(new Scrubber(service, metadata, blobs, digestLocks, audit, clock, BytePacer.Timer.SYSTEM),
                jobLeases);
        this.scrubSchedule = new ScrubSchedule(dataDir.resolve("scrub").resolve("last-run"), config.scrub.interval, clock,
                jobLeases);
        ScrubRoutes.register(router, scrubs, new ScrubRoutes.Settings(config.scrub.interval, config.scrub.maxBytesPerSecond,
                scrubRepairFrom, scrubSchedule));
        if (auditLog != null) {
            AuditRoutes.register(router, auditLog, auditIndex, chains, auditShipper);
        }
        OpsRoutes.register(router, service);
        access.registerRoutes(router);
        access.requireRulesFor(router);
        this.workers = new WorkerPool(config.http.workerThreads, config.http.workerQueue);
        this.server = new HttpServer(router, workers,
                httpLimits(config.limits),
                config.http.effectiveIoThreads(),
                new RequestAuditor(audit, config.audit.recordOps, clock), access.guard(), tls,
                TrustedProxies.of(config.http.trustedProxies));
        ListenAddress listen = ListenAddress.parse(config.http.addr);
        log.debug("startup routes ms={}", (System.nanoTime() - started) / 1_000_000);
        this.address = server.start(listen.host(), listen.port());
        log.debug("startup listening ms={}", (System.nanoTime() - started) / 1_000_000);

        this.jobs = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "registry-jobs");
            t.setDaemon(true);
            return t;
        });
        long interval = config.uploads.purgeInterval.toMillis();
        jobs.scheduleWithFixedDelay(() -> purgeUploads(clock), interval, interval, TimeUnit.MILLISECONDS);
        if (auditShipper != null) {
            auditShipper.start(); // its own thread: a slow or absent bucket never holds a request
        }
        if (auditIndex != null) {
            // Keeps the index near the log, so a query never has a long backlog to index first, and
            // often enough that the rows the log hands over (AuditIndex.recordsDurable) fit their queue.
            jobs.scheduleWithFixedDelay(this::indexAudit, 2, 2, TimeUnit.SECONDS);
        }
        if (tls != null) {
            long tlsCheck = tls.settings().reloadCheck().toMillis();
            jobs.scheduleWithFixedDelay(tls::checkForChange, tlsCheck, tlsCheck, TimeUnit.MILLISECONDS);
        }
        long gcInterval = config.gc.interval.toMillis();
        if (gcInterval > 0) {
            jobs.scheduleWithFixedDelay(this::scheduledCollection, gcInterval, gcInterval, TimeUnit.MILLISECONDS);
        }
        if (config.backup.scheduled()) {
            long backupInterval = config.backup.interval.toMillis();
            jobs.scheduleWithFixedDelay(this::scheduledBackup, backupInterval, backupInterval, TimeUnit.MILLISECONDS);
        }

        if (!config.scrub.interval.isZero()) {
            // Checked hourly against the last start on disk and on any replica, so restarts neither reset nor skip
            // the schedule, and replicas sharing the database scrub once per interval between them.
            long check = Math.min(config.scrub.interval.toMillis(), Duration.ofHours(1).toMillis());
            jobs.scheduleWithFixedDelay(this::scheduledScrub, check, check, TimeUnit.MILLISECONDS);
        }

        if (!listen.isLoopback() && !access.enabled()) {
            log.warn("registry listens beyond loopback without authentication: anybody who reaches address={} may"
                    + " push, delete and use the admin API; set auth.mode (docs/security.md)", config.http.addr);
        }
    }

    /** Opens the stores and starts serving; returns once the listener is bound. */
    public static Registry start(RegistryConfig config, Clock clock) throws IOException, InterruptedException {
        Registry registry = new Registry(config, clock);
        log.info("registry ready address={}:{} dataDir={}", registry.address.getHostString(),
                registry.address.getPort(), registry.dataDir);
        return registry;
    }

    public InetSocketAddress address() {
        return address;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Every action the routes name, e.g. for a check that each has an access rule. */
    public Set<String> routeActions() {
        return router.actions();
    }

    public RegistryService service() {
        return service;
    }

    /** The audit log, or null when auditing is switched off. */
    public AuditLog auditLog() {
        return auditLog;
    }

    /** This process's replica id ({@code replica.id}, or the one remembered in the data directory). */
    public String replicaId() {
        return replicaId;
    }

    private static AuditLog openAuditLog(RegistryConfig config, Path dataDir, AuditChains chains, String replicaId,
                                         Clock clock) throws IOException {
        SigningKey key = SigningKey.loadOrCreate(config.audit.keyPath(dataDir));
        Path publicKey = config.audit.keyPath(dataDir).resolveSibling("audit-ed25519.pub.pem");
        if (!Files.exists(publicKey)) {
            Files.writeString(publicKey, key.verifyingKey().toPem());
        }
        Timestamper timestamper = config.audit.tsaUrl == null || config.audit.tsaUrl.isBlank() ? null
                : new Rfc3161Timestamper(URI.create(config.audit.tsaUrl), config.audit.tsaTimeout);
        return chains.open(config.audit.settings(dataDir).withReplica(replicaId), key, clock, timestamper);
    }

    private static S3SegmentArchive openArchive(RegistryConfig.AuditShip ship, AuditLog auditLog) {
        try {
            return S3SegmentArchive.open(ship.s3Settings(), ship.keyPrefix());
        } catch (IOException e) {
            auditLog.close();
            throw new ConfigException("audit.ship: " + e.getMessage(), e);
        }
    }

    /** The shipper of sealed audit segments, or null when audit.ship is not configured; for tests. */
    public SegmentShipper auditShipper() {
        return auditShipper;
    }

    /**
     * The metadata store of {@code metadata.backend}: SQLite in the data directory with the manifest
     * cache (this process is its only writer), or the shared PostgreSQL database without it (other
     * replicas' writes would not pass through the cache's fence).
     */
    private static JdbcMetadataStore openMetadata(RegistryConfig config, Path dataDir, Clock clock) {
        if (config.metadata.usesPostgres()) {
            log.info("metadata in PostgreSQL url={} poolSize={}", config.metadata.postgres.url, config.metadata.postgres.poolSize);
            return JdbcMetadataStore.openPostgres(config.metadata.postgres.settings(), clock);
        }
        return JdbcMetadataStore.openSqlite(dataDir.resolve("registry.db"), config.storage.manifestCacheBytes, clock);
    }

    /**
     * The locks that keep a blob's check-and-link apart from its removal: PostgreSQL advisory locks when
     * replicas share the metadata database (and so the blobs), this process's own locks with SQLite.
     */
    private static DigestLocks openDigestLocks(RegistryConfig config) {
        if (config.metadata.usesPostgres()) {
            return PostgresDigestLocks.open(config.metadata.postgres.settings());
        }
        return DigestLocks.inProcess();
    }

    /** The listener's TLS context, or null for plain HTTP; a file that cannot be used stops the start. */
    private static ReloadingSslContext openTls(RegistryConfig config, Clock clock) {
        Optional<TlsSettings> settings = config.tls.settings();
        if (settings.isEmpty()) {
            return null;
        }
        try {
            return ReloadingSslContext.load(settings.get(), clock);
        } catch (TlsFileException e) {
            throw new ConfigException("tls: " + e.getMessage(), e);
        }
    }

    /** Removing abandoned uploads is a deletion too: it waits while the garbage collector is paused. */
    private void purgeUploads(Clock clock) {
        try {
            boolean ran = gc.runUnlessPaused(() -> {
                try {
                    audit.ensureWritable(); // a deletion that cannot be recorded does not happen
                    Instant cutoff = clock.instant().minus(config.uploads.purgeAfter);
                    int purged = service.purgeAbandonedUploads(cutoff);
                    if (purged > 0) {
                        audit.append(AuditEntry.event(clock.instant(), "uploads.purge", "scheduler", null, null, null,
                                Map.of("sessions", purged, "idleSince", cutoff.toString())));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            if (!ran) {
                log.info("upload purge skipped: garbage collection is paused");
            }
        } catch (Exception e) {
            log.warn("failed to purge abandoned uploads", e);
        }
    }

    private void indexAudit() {
        try {
            auditIndex.catchUp();
        } catch (RuntimeException e) {
            log.warn("audit index catch-up failed", e);
        }
    }

    private void scheduledCollection() {
        try {
            if (gc.paused()) {
                log.info("scheduled garbage collection skipped: paused");
                return;
            }
            gc.start(false, GarbageCollector.SCHEDULER);
        } catch (RegistryException e) {
            log.info("scheduled garbage collection not started reason={}", e.getMessage());
        } catch (Exception e) {
            log.warn("failed to start scheduled garbage collection", e);
        }
    }

    /**
     * Starts the configured backup unless any replica started one within the interval; it runs on the
     * backups' own thread, so this job returns at once.
     */
    private void scheduledBackup() {
        try {
            backups.startIfDue(config.backup.to, config.backup.interval);
        } catch (RegistryException e) {
            // A run still going when the next is due (BACKUP_RUNNING, here or on another replica), or a directory gone bad.
            log.warn("scheduled backup not started code={} reason={}", e.code(), e.getMessage());
        } catch (Exception e) {
            log.warn("failed to start scheduled backup", e);
        }
    }

    /** The backups of this registry, for tests that reach past HTTP. */
    public Backups backups() {
        return backups;
    }

    /** Starts a scrub when one is due; the run itself is on the scrub's own thread, never this one. */
    private void scheduledScrub() {
        try {
            if (!scrubSchedule.due()) {
                return;
            }
            ScrubReport started = scrubs.start(new Scrubber.Request(GarbageCollector.SCHEDULER, false, scrubRepairFrom,
                    config.scrub.maxBytesPerSecond));
            scrubSchedule.started(started.startedAt());
        } catch (RegistryException e) {
            log.info("scheduled scrub not started reason={}", e.getMessage());
        } catch (Exception e) {
            log.warn("failed to start scheduled scrub", e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("registry stopping address={}:{}", address.getHostString(), address.getPort());
        Duration grace = config.http.shutdownGrace;
        try {
            server.shutdown(grace);
            jobs.shutdownNow();
            imports.close();
            backups.close();
            scrubs.close();
            gc.close();
            workers.shutdown(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (auditShipper != null) {
                auditShipper.close();
                auditArchive.close();
            }
            if (auditIndex != null) {
                closeQuietly(auditIndex);
            }
            if (auditLog != null) {
                auditLog.close();
            }
            if (digestLocks instanceof AutoCloseable pool) {
                closeQuietly(pool);
            }
            closeQuietly(metadata);
            closeQuietly(blobs);
        }
        log.info("registry stopped");
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn("failed to close {}", closeable.getClass().getSimpleName(), e);
        }
    }

    /** The server's HTTP limits as configured. */
    public static HttpServer.Limits httpLimits(RegistryConfig.Limits limits) {
        return new HttpServer.Limits(limits.maxInitialLineBytes, limits.maxHeaderBytes, limits.maxConnectionsPerAddress,
                limits.maxConcurrentUploads, limits.idleTimeout, limits.headerTimeout, limits.bodyIdleTimeout,
                limits.maxBodyDuration);
    }
}
