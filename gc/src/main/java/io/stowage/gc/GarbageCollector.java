package io.stowage.gc;

import io.stowage.audit.AuditSink;
import io.stowage.audit.AuditUnavailableException;
import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.blob.DigestLocks;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.GcDeletion;
import io.stowage.storage.meta.GcPause;
import io.stowage.storage.meta.GcRunRecord;
import io.stowage.storage.meta.GcSnapshot;
import io.stowage.storage.meta.GcLease;
import io.stowage.storage.meta.GcStore;
import io.stowage.storage.oci.Digest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The mark-and-sweep garbage collector, online: marks from a snapshot ({@link Marker}), then
 * removes unmarked manifests and blobs in batches, each removal re-checked in its own transaction
 * ({@link GcStore}) and, for blobs, under the digest's lock shared with uploads and mounts.
 *
 * <p>Pause (invariant 4): the pause is a database row, read before every batch; each batch runs
 * under {@code batchLock}, which {@link #pause} takes once after setting the row, so when pause
 * returns no batch is running and none will start. Dry runs delete nothing and may run while
 * paused. One run at a time, on its own thread. Thread-safe.
 *
 * <p>Audit (fail-closed): a run's start and end, each manifest and blob it deletes, and every pause
 * and resume are recorded in the {@link AuditSink}. A batch starts only if the log can take records
 * ({@link AuditSink#ensureWritable()}), and its deletions are durable in the log before the next
 * batch starts, so the log never lags more than one batch behind and a log that cannot be written
 * stops the run (outcome {@code failed}) rather than letting deletions go unrecorded. Deletion
 * records are written under the batch lock, so when a pause returns they precede its own record.
 */
public final class GarbageCollector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);
    private static final int MAX_MANIFEST_PASSES = 16;
    /** The actor of runs the registry starts on its schedule. */
    public static final String SCHEDULER = "scheduler";
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

    /** How long a collection lease lasts without renewal unless the caller says otherwise. */
    public static final Duration DEFAULT_LEASE = Duration.ofMinutes(1);
    /** How often a pause looks whether another replica's collection has stopped. */
    private static final long LEASE_POLL_MILLIS = 50;

    private final String holder;
    private final Duration leaseTtl;
    private final GcStore store;
    private final BlobStore blobs;
    private final DigestLocks digestLocks;
    private final Clock clock;
    private final GcSettings settings;
    private final GcAudit audit;
    private final ReentrantLock batchLock = new ReentrantLock();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "registry-gc");
        t.setDaemon(true);
        return t;
    });
    private RunProgress current;

    /** A collector that records nothing in an audit log ({@link AuditSink#NONE}). */
    public GarbageCollector(GcStore store, BlobStore blobs, DigestLocks digestLocks, Clock clock, GcSettings settings) {
        this(store, blobs, digestLocks, clock, settings, AuditSink.NONE);
    }

    /** A collector that records its runs, deletions, pauses and resumes in {@code audit}. */
    public GarbageCollector(GcStore store, BlobStore blobs, DigestLocks digestLocks, Clock clock, GcSettings settings,
                            AuditSink audit) {
        this(store, blobs, digestLocks, clock, settings, audit, defaultHolder(), DEFAULT_LEASE);
    }

    /**
     * @param holder   this replica's name in the collection lease (unique among the replicas sharing the database)
     * @param leaseTtl how long the lease lasts without a renewal: a replica that died while collecting
     *                 holds up the others this long at most
     */
    public GarbageCollector(GcStore store, BlobStore blobs, DigestLocks digestLocks, Clock clock, GcSettings settings,
                            AuditSink audit, String holder, Duration leaseTtl) {
        this.holder = holder;
        this.leaseTtl = leaseTtl;
        this.store = store;
        this.blobs = blobs;
        this.digestLocks = digestLocks;
        this.clock = clock;
        this.settings = settings;
        this.audit = new GcAudit(audit, clock);
    }

    /** This process's name in the lease when no replica id is known: host ($HOSTNAME, a pod's name), see {@link #holder}. */
    public static String defaultHolder() {
        // The environment's name, not a lookup: resolving the host name may wait on DNS at start-up.
        return holder(System.getenv().getOrDefault("HOSTNAME", "replica"));
    }

    /**
     * A name in the lease for a process of {@code replica}: the replica, the process id and a random
     * part, unique per start, so an operator reading 409 GC_RUNNING knows which replica to look at.
     */
    public static String holder(String replica) {
        return replica + "/" + ProcessHandle.current().pid() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    public GcSettings settings() {
        return settings;
    }

    public GcStatus status() {
        GcPause pause = store.pauseState();
        RunProgress running;
        synchronized (this) {
            running = current;
        }
        GcRunRecord currentRun = running == null ? null : running.record();
        GcRunRecord lastRun = store.runs(5).stream()
                .filter(run -> run.finishedAt() != null && (currentRun == null || !run.id().equals(currentRun.id())))
                .findFirst().orElse(null);
        String state = currentRun != null && !currentRun.dryRun() ? "running" : pause.paused() ? "paused" : currentRun != null ? "running" : "idle";
        return new GcStatus(state, pause, settings.gracePeriod(), settings.retention(), currentRun, lastRun);
    }

    /**
     * Pauses durably and returns once no deletion is in progress, here or on another replica sharing
     * the database, and the pause is recorded in the audit log: a running sweep stops at its next
     * batch boundary. Idempotent; a second pause keeps
     * the first one's actor and reason (and is recorded too).
     *
     * @throws AuditUnavailableException if the audit log cannot take records; nothing is changed.
     *         (Should the log fail between that check and the record, the pause stays in effect:
     *         paused is the side that deletes nothing.)
     */
    public GcStatus pause(String actor, String reason) {
        audit.ensureWritable();
        Instant now = clock.instant();
        boolean wasPaused = paused();
        store.setPaused(true, actor, reason, now);
        // Read before waiting for the batch: once the run sees the pause it finishes and is gone.
        String runningId;
        synchronized (this) {
            runningId = current == null || current.dryRun() ? null : current.id();
        }
        batchLock.lock();
        try {
            audit.paused(now, actor, reason, wasPaused, runningId);
        } finally {
            batchLock.unlock();
        }
        awaitCollectionElsewhereStopped();
        log.info("gc paused actor={} reason={}", actor, reason);
        return status();
    }

    /**
     * Waits until no other replica sharing the database is collecting: one that is reads the pause
     * before its next batch, ends its run and gives the lease back, so the wait is at most the batch
     * it is in (or the rest of its marking). A lease that expires meanwhile means its holder died.
     * Bounded by one lease time; past that the pause stands anyway and is logged.
     */
    private void awaitCollectionElsewhereStopped() {
        long deadline = System.nanoTime() + leaseTtl.toNanos();
        while (true) {
            Optional<GcLease> lease = store.lease();
            if (lease.isEmpty() || lease.get().holder() == null || holder.equals(lease.get().holder())
                    || !lease.get().expiresAt().isAfter(clock.instant())) {
                return;
            }
            if (System.nanoTime() > deadline) {
                log.warn("gc paused, but replica {} still holds the collection lease after {}; it stops at its next batch",
                        lease.get().holder(), leaseTtl);
                return;
            }
            try {
                Thread.sleep(LEASE_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Resumes, recording who did it; see {@link #resume(String, String)}. */
    public GcStatus resume(String actor) {
        return resume(actor, null);
    }

    /**
     * Resumes and returns once the resume is recorded in the audit log.
     *
     * @param reason why, for the audit log only (the store keeps no reason for a resume); may be null
     * @throws AuditUnavailableException if the audit log cannot take records; the collector stays paused
     */
    public GcStatus resume(String actor, String reason) {
        audit.ensureWritable();
        Instant now = clock.instant();
        boolean wasPaused = paused();
        store.setPaused(false, actor, null, now);
        audit.resumed(now, actor, reason, wasPaused);
        log.info("gc resumed actor={}", actor);
        return status();
    }

    public boolean paused() {
        return store.pauseState().paused();
    }

    /**
     * Runs {@code work} (another kind of removal, such as the purge of abandoned uploads) unless
     * the collector is paused, under the same batch lock, so a pause covers it too.
     */
    public boolean runUnlessPaused(Runnable work) {
        batchLock.lock();
        try {
            if (paused()) {
                return false;
            }
            work.run();
            return true;
        } finally {
            batchLock.unlock();
        }
    }

    /** Starts a run whose starter is not known; see {@link #start(boolean, String)}. */
    public Started start(boolean dryRun) {
        return start(dryRun, null);
    }

    /**
     * Starts a run in the background: {@code GC_RUNNING} if one is under way, {@code GC_PAUSED} if
     * paused (a dry run is allowed). Returns the run as recorded at its start and its completion.
     *
     * @param actor who started it, the actor of its audit records: an admin, {@link #SCHEDULER}, or null if not known
     */
    public synchronized Started start(boolean dryRun, String actor) {
        if (current != null) {
            throw new RegistryException(ErrorCode.GC_RUNNING, "a garbage collection is running",
                    Map.of("id", current.id()));
        }
        if (!dryRun && paused()) {
            throw new RegistryException(ErrorCode.GC_PAUSED, "garbage collection is paused; resume it first (a dry run is allowed)");
        }
        Instant now = clock.instant();
        String runId = "gc-" + RUN_ID.format(now) + "-" + UUID.randomUUID().toString().substring(0, 8);
        if (!dryRun && !store.acquireLease(holder, runId, now, now.plus(leaseTtl))) {
            // Another replica sharing this database is collecting (or died doing so less than a lease ago).
            GcLease lease = store.lease().orElse(new GcLease(null, null, now));
            Map<String, Object> detail = new java.util.TreeMap<>();
            detail.put("holder", String.valueOf(lease.holder()));
            detail.put("id", String.valueOf(lease.runId()));
            detail.put("leaseExpiresAt", lease.expiresAt().toString());
            throw new RegistryException(ErrorCode.GC_RUNNING, "a garbage collection is running on replica "
                    + lease.holder(), detail);
        }
        RunProgress progress = new RunProgress(runId, dryRun, now, actor);
        current = progress;
        store.saveRun(progress.record());
        CompletableFuture<GcRunRecord> done = CompletableFuture.supplyAsync(() -> execute(progress), runner);
        return new Started(progress.record(), done);
    }

    public List<GcRunRecord> runs(int limit) {
        return store.runs(limit);
    }

    public Optional<GcRunRecord> run(String id) {
        synchronized (this) {
            if (current != null && current.id().equals(id)) {
                return Optional.of(current.record());
            }
        }
        return store.run(id);
    }

    public List<GcDeletion> deletions(String runId) {
        return store.deletions(runId);
    }

    private GcRunRecord execute(RunProgress progress) {
        try {
            audit.runStarted(progress, settings);
            Instant now = clock.instant();
            Instant retentionCutoff = now.minus(settings.retention());
            Instant graceCutoff = now.minus(settings.gracePeriod());
            GcSnapshot snapshot = store.snapshot();
            Marker.Result marked = Marker.mark(snapshot, retentionCutoff);
            progress.marked(marked.manifests().size(), marked.blobs().size());
            log.info("gc marked run={} dryRun={} manifests={} blobs={}", progress.id(), progress.dryRun(),
                    marked.manifests().size(), marked.blobs().size());
            String outcome = progress.dryRun()
                    ? dryRun(progress, snapshot, marked, graceCutoff)
                    : sweep(progress, snapshot, marked, retentionCutoff, graceCutoff);
            return finish(progress, outcome, null);
        } catch (Exception e) {
            log.error("gc run failed run={}", progress.id(), e);
            return finish(progress, "failed", String.valueOf(e.getMessage()));
        }
    }

    private GcRunRecord finish(RunProgress progress, String outcome, String error) {
        if (!progress.dryRun()) {
            try {
                store.releaseLease(holder, progress.id());
            } catch (RuntimeException e) {
                log.warn("gc lease not given back run={}; it expires on its own", progress.id(), e);
            }
        }
        progress.finish(outcome, error, clock.instant());
        GcRunRecord record = progress.record();
        store.saveRun(record);
        audit.runEndedQuietly(progress);
        synchronized (this) {
            current = null;
        }
        log.info("gc finished run={} outcome={} sweptManifests={} sweptBlobs={} bytes={}", record.id(), outcome,
                record.sweptManifests(), record.sweptBlobs(), record.sweptBytes());
        return record;
    }

    /** Lists what a real run would delete now; deletes nothing. */
    private String dryRun(RunProgress progress, GcSnapshot snapshot, Marker.Result marked, Instant graceCutoff)
            throws IOException {
        List<GcDeletion> wouldDelete = new ArrayList<>();
        for (GcSnapshot.Manifest manifest : snapshot.manifests()) {
            if (!marked.manifests().contains(manifest.key())) {
                wouldDelete.add(new GcDeletion(manifest.digest(), "manifest", manifest.size(), manifest.repository()));
                progress.sweptManifest(manifest.size());
            }
        }
        for (GcSnapshot.Blob blob : unmarkedBlobs(snapshot, marked, graceCutoff)) {
            wouldDelete.add(new GcDeletion(blob.digest(), "blob", blob.size(), null));
            progress.sweptBlob(blob.size());
        }
        for (BlobStore.StoredBlob orphan : orphanFiles(snapshot, graceCutoff)) {
            wouldDelete.add(new GcDeletion(orphan.digest().toString(), "blob", orphan.size(), null));
            progress.sweptBlob(orphan.size());
        }
        store.addDeletions(progress.id(), wouldDelete);
        return "completed";
    }

    private String sweep(RunProgress progress, GcSnapshot snapshot, Marker.Result marked, Instant retentionCutoff,
                         Instant graceCutoff) throws IOException {
        // Manifests first, in passes: an index goes before its children, a subject before its referrers.
        List<GcSnapshot.Manifest> left = new ArrayList<>();
        for (GcSnapshot.Manifest manifest : snapshot.manifests()) {
            if (!marked.manifests().contains(manifest.key())) {
                left.add(manifest);
            }
        }
        for (int pass = 0; pass < MAX_MANIFEST_PASSES && !left.isEmpty(); pass++) {
            List<GcSnapshot.Manifest> kept = new ArrayList<>();
            for (List<GcSnapshot.Manifest> batch : batches(left)) {
                Optional<List<GcDeletion>> removed = inBatch(progress, () -> {
                    Map<GcSnapshot.Manifest, Long> collected =
                            store.removeManifestsIfCollectable(batch, retentionCutoff, clock.instant());
                    List<GcDeletion> deletions = new ArrayList<>();
                    for (GcSnapshot.Manifest manifest : batch) {
                        Long size = collected.get(manifest);
                        if (size != null) {
                            deletions.add(new GcDeletion(manifest.digest(), "manifest", size, manifest.repository()));
                            progress.sweptManifest(size);
                        } else {
                            kept.add(manifest);
                        }
                    }
                    return deletions;
                });
                if (removed.isEmpty()) {
                    return "paused";
                }
            }
            if (kept.size() == left.size()) {
                break;
            }
            left = kept;
        }

        log.info("gc swept manifests run={} count={}", progress.id(), progress.record().sweptManifests());
        for (List<GcSnapshot.Blob> batch : batches(unmarkedBlobs(snapshot, marked, graceCutoff))) {
            List<String> digests = batch.stream().map(GcSnapshot.Blob::digest).toList();
            Optional<List<GcDeletion>> removed = inBatch(progress, () -> digestLocks.withLocks(digests, () -> {
                // Rows first (one conditional transaction), then the bytes of what was removed,
                // all under the digests' locks so no upload or mount can slip in between.
                Map<String, Long> collected = store.removeBlobsIfCollectable(digests, graceCutoff);
                List<GcDeletion> deletions = new ArrayList<>();
                for (Map.Entry<String, Long> blob : collected.entrySet()) {
                    deleteBytes(blob.getKey());
                    deletions.add(new GcDeletion(blob.getKey(), "blob", blob.getValue(), null));
                    progress.sweptBlob(blob.getValue());
                }
                return deletions;
            }));
            if (removed.isEmpty()) {
                return "paused";
            }
        }

        log.info("gc swept blobs run={} count={}", progress.id(), progress.record().sweptBlobs());
        for (List<BlobStore.StoredBlob> batch : batches(orphanFiles(snapshot, graceCutoff))) {
            Optional<List<GcDeletion>> removed = inBatch(progress, () -> {
                List<GcDeletion> deletions = new ArrayList<>();
                for (BlobStore.StoredBlob orphan : batch) {
                    String digest = orphan.digest().toString();
                    boolean deleted = digestLocks.withLock(digest, () -> !store.blobKnown(digest) && deleteBytes(digest));
                    if (deleted) {
                        deletions.add(new GcDeletion(digest, "blob", orphan.size(), null));
                        progress.sweptBlob(orphan.size());
                    }
                }
                return deletions;
            });
            if (removed.isEmpty()) {
                return "paused";
            }
        }
        return "completed";
    }

    /**
     * Runs one batch of removals under the batch lock unless paused, then records what it removed
     * in the store and, durably, in the audit log. Empty when paused (the run stops); throws
     * {@link AuditUnavailableException} before removing anything if the audit log cannot take
     * records (the run fails).
     */
    private Optional<List<GcDeletion>> inBatch(RunProgress progress, Supplier<List<GcDeletion>> batch) {
        batchLock.lock();
        try {
            if (paused()) {
                return Optional.empty();
            }
            if (!store.renewLease(holder, progress.id(), clock.instant().plus(leaseTtl))) {
                // This replica stalled past its lease and another took it: it must not delete on.
                throw new IllegalStateException("the collection lease was taken by another replica; stopped before"
                        + " this batch");
            }
            audit.ensureWritable();
            List<GcDeletion> deletions = batch.get();
            store.addDeletions(progress.id(), deletions);
            store.saveRun(progress.record());
            audit.deleted(progress, deletions);
            return Optional.of(deletions);
        } finally {
            batchLock.unlock();
        }
    }

    private boolean deleteBytes(String digest) {
        try {
            return blobs.delete(Digest.parse(digest));
        } catch (IOException e) {
            // The row is gone, so the bytes are an orphan now: the next run retries them.
            log.warn("failed to delete blob bytes digest={}", digest, e);
            return false;
        }
    }

    private static List<GcSnapshot.Blob> unmarkedBlobs(GcSnapshot snapshot, Marker.Result marked, Instant graceCutoff) {
        List<GcSnapshot.Blob> candidates = new ArrayList<>();
        for (GcSnapshot.Blob blob : snapshot.blobs()) {
            if (!marked.blobs().contains(blob.digest()) && blob.heldAt() < graceCutoff.toEpochMilli()) {
                candidates.add(blob);
            }
        }
        return candidates;
    }

    /** Blob files with no metadata row, older than the grace period: left by a crash between publish and link. */
    private List<BlobStore.StoredBlob> orphanFiles(GcSnapshot snapshot, Instant graceCutoff) throws IOException {
        Set<String> known = new HashSet<>();
        snapshot.blobs().forEach(blob -> known.add(blob.digest()));
        List<BlobStore.StoredBlob> orphans = new ArrayList<>();
        blobs.forEachBlob(blob -> {
            if (!known.contains(blob.digest().toString()) && blob.storedAt().isBefore(graceCutoff)) {
                orphans.add(blob);
            }
        });
        return orphans;
    }

    private <T> List<List<T>> batches(List<T> items) {
        List<List<T>> batches = new ArrayList<>();
        for (int i = 0; i < items.size(); i += settings.batchSize()) {
            batches.add(items.subList(i, Math.min(items.size(), i + settings.batchSize())));
        }
        return batches;
    }

    @Override
    public void close() throws InterruptedException {
        runner.shutdownNow();
        runner.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** A run just started: its record at the start, and its record when it finishes. */
    public record Started(GcRunRecord run, CompletableFuture<GcRunRecord> completion) {
    }
}
