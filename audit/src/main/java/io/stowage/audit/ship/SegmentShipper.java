package io.stowage.audit.ship;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditLog;
import io.stowage.audit.ChainKeys;
import io.stowage.audit.SegmentFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Ships this replica's sealed segments, oldest first, into a {@link SegmentArchive} under
 * {@code <replica>/}, each locked for {@link ShipSettings#retention()} from its upload, and the
 * chain's public key once. Runs on its own thread, never in a request: while the archive does
 * not answer it backs off (1 s doubling up to {@link ShipSettings#maxBackoff()}) and tries the
 * same segment again, so nothing is skipped or lost; what it shipped is remembered beside the
 * chain ({@link ShippedState}) and survives restarts. {@link #isShipped} lets the purge keep every
 * segment not yet in the archive. Each shipped segment is recorded in the log ({@code audit.ship}),
 * and so is the start of an outage ({@code audit.ship.failed}). Thread-safe.
 *
 * <p>Only segments older than the newest are shipped: the newest is the one being written (a
 * sealed newest segment is followed at once by the next, so it ships on the next pass).
 */
public final class SegmentShipper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SegmentShipper.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    /** How long the shipper waits for its own audit record before going on without it. */
    private static final long RECORD_WAIT_SECONDS = 10;

    private final AuditLog auditLog;
    private final SegmentArchive archive;
    private final ShipSettings settings;
    private final Clock clock;
    private final Path chain;
    private final String replica;
    private final ShippedState state;
    private final ScheduledExecutorService thread;

    private volatile long shippedThrough;
    private volatile int failuresInARow;
    private volatile String lastError;
    private volatile Instant lastShippedAt;
    private volatile Instant nextAttemptAt;
    private volatile long shippedTotal;

    public SegmentShipper(AuditLog auditLog, SegmentArchive archive, ShipSettings settings, Clock clock)
            throws IOException {
        this.auditLog = auditLog;
        this.archive = archive;
        this.settings = settings;
        this.clock = clock;
        this.chain = auditLog.settings().directory();
        this.replica = auditLog.settings().replica();
        if (replica == null) {
            throw new IllegalArgumentException("only a replica's chain is shipped: the archive keys name the replica");
        }
        this.state = ShippedState.load(chain);
        this.shippedThrough = state.throughSegment();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "audit-shipper");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts shipping now and then every interval. */
    public void start() {
        schedule(Duration.ZERO);
    }

    /** Whether the segment file {@code name} of this chain is in the archive. */
    public boolean isShipped(String name) {
        long number = SegmentFiles.number(name);
        return number >= 0 && number <= shippedThrough;
    }

    /**
     * Ships whatever is due now, on the caller's thread; for tests and for the scheduled passes.
     *
     * @return how many segments were shipped
     * @throws IOException when the archive or the chain could not be read or written; nothing is skipped
     */
    public synchronized int shipPending() throws IOException {
        String keyId = auditLog.verifyingKey().keyId();
        if (!keyId.equals(state.publicKeyId())) {
            archive.put(replica + "/" + ChainKeys.PUBLIC_KEY_FILE, chain.resolve(ChainKeys.PUBLIC_KEY_FILE),
                    clock.instant().plus(settings.retention()));
            state.shippedPublicKey(keyId);
        }
        List<Path> segments = SegmentFiles.list(chain);
        int shipped = 0;
        for (Path segment : segments.subList(0, Math.max(0, segments.size() - 1))) {
            String name = segment.getFileName().toString();
            long number = SegmentFiles.number(name);
            if (number <= state.throughSegment()) {
                continue;
            }
            Instant retainUntil = clock.instant().plus(settings.retention());
            String key = replica + "/" + name;
            archive.put(key, segment, retainUntil);
            state.shippedSegment(number);
            shippedThrough = number;
            shipped++;
            shippedTotal++;
            lastShippedAt = clock.instant();
            record("audit.ship", Map.of("segment", name, "key", key, "archive", archive.describe(),
                    "retainUntil", retainUntil.toString()));
            log.info("audit segment shipped replica={} segment={} archive={} retainUntil={}", replica, name,
                    archive.describe(), retainUntil);
        }
        return shipped;
    }

    /** What the shipper has done and is waiting for, as {@code GET /admin/audit/shipping} shows it. */
    public Map<String, Object> status() throws IOException {
        List<Path> segments = SegmentFiles.list(chain);
        long pending = segments.subList(0, Math.max(0, segments.size() - 1)).stream()
                .filter(p -> !isShipped(p.getFileName().toString())).count();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("replica", replica);
        status.put("archive", archive.describe());
        status.put("retention", settings.retention().toString());
        status.put("shippedThrough", shippedThrough == 0 ? null : SegmentFiles.name(shippedThrough));
        status.put("pendingSegments", pending);
        status.put("shippedSinceStart", shippedTotal);
        status.put("lastShippedAt", lastShippedAt == null ? null : lastShippedAt.toString());
        status.put("failuresInARow", failuresInARow);
        status.put("lastError", lastError);
        status.put("nextAttemptAt", nextAttemptAt == null ? null : nextAttemptAt.toString());
        return status;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pass() {
        try {
            shipPending();
            if (failuresInARow > 0) {
                log.warn("audit shipping works again replica={} archive={} after failures={}", replica,
                        archive.describe(), failuresInARow);
            }
            failuresInARow = 0;
            lastError = null;
            schedule(settings.interval());
        } catch (IOException | RuntimeException e) {
            int failures = ++failuresInARow;
            lastError = String.valueOf(e.getMessage());
            if (failures == 1) {
                log.warn("failed to ship audit segments; retrying with back-off, nothing is purged meanwhile replica={}"
                        + " archive={} reason={}", replica, archive.describe(), e.getMessage());
                record("audit.ship.failed", Map.of("archive", archive.describe(), "reason", lastError));
            }
            schedule(backoff(failures));
        }
    }

    private Duration backoff(int failures) {
        Duration wait = FIRST_BACKOFF.multipliedBy(1L << Math.min(failures - 1, 20));
        return wait.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : wait;
    }

    private void schedule(Duration delay) {
        nextAttemptAt = clock.instant().plus(delay);
        try {
            thread.schedule(this::pass, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // closing: the next pass is the next start's
        }
    }

    /** Records what the shipper did; a log that cannot take it does not stop the shipping. */
    private void record(String action, Map<String, Object> detail) {
        try {
            auditLog.append(AuditEntry.event(clock.instant(), action, "registry", null, null, null, new TreeMap<>(detail)))
                    .get(RECORD_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("audit record of shipping not written action={} reason={}", action, e.getMessage());
        }
    }
}
