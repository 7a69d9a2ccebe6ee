package io.stowage.recovery.jobs;

import io.stowage.storage.meta.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One run's hold on its job's lease, from {@link JobLeases#take}: renewed on a daemon timer every
 * third of the lease time, and given back by {@link #close}. The run asks {@link #ensureHeld} before
 * each item. The lease counts as lost when a renewal finds another run holding it, and also once the
 * last confirmed expiry has passed (renewals that failed, say with the database unreachable), since
 * another replica may take it from then on. Thread-safe.
 */
public final class HeldLease implements LeaseCheck, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeldLease.class);

    private final MetadataStore store;
    private final String job;
    private final String holder;
    private final String runId;
    private final Clock clock;
    private final Duration ttl;
    private final ScheduledExecutorService renewer;
    private volatile Instant confirmedUntil;
    private volatile boolean takenOver;

    HeldLease(MetadataStore store, String job, String holder, String runId, Clock clock, Duration ttl, Instant until) {
        this.store = store;
        this.job = job;
        this.holder = holder;
        this.runId = runId;
        this.clock = clock;
        this.ttl = ttl;
        this.confirmedUntil = until;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "registry-" + job + "-lease");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(1, ttl.toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
    }

    /** Extends the lease by its time from now; a failure to reach the database is retried at the next tick. */
    void renew() {
        if (takenOver) {
            return;
        }
        Instant until = clock.instant().plus(ttl);
        try {
            if (store.renewJobLease(job, holder, runId, until)) {
                confirmedUntil = until;
            } else {
                takenOver = true;
                log.warn("job lease taken by another replica job={} run={}", job, runId);
            }
        } catch (RuntimeException e) {
            log.warn("failed to renew job lease job={} run={} until={}", job, runId, confirmedUntil, e);
        }
    }

    /** True once another run may hold the lease: taken over, or expired without a renewal. */
    public boolean lost() {
        return takenOver || clock.instant().isAfter(confirmedUntil);
    }

    @Override
    public void ensureHeld() {
        if (lost()) {
            throw new LeaseLostException(job);
        }
    }

    public String runId() {
        return runId;
    }

    /** Stops renewing and gives the lease back if this run still holds it (the job's last start stays). */
    @Override
    public void close() {
        renewer.shutdownNow();
        try {
            store.releaseJobLease(job, holder, runId);
        } catch (RuntimeException e) {
            log.warn("job lease not given back job={} run={}; it expires on its own", job, runId, e);
        }
    }
}
