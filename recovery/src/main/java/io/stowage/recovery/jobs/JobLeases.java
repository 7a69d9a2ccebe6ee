package io.stowage.recovery.jobs;

import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.JobLease;
import io.stowage.storage.meta.MetadataStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * This replica's hand on the job leases of the metadata database: takes a job's lease for a run
 * (refusing with the job's 409 and who holds it), and tells when the job last started on any replica.
 * With SQLite there is one process, and the lease only repeats what its jobs already know. Thread-safe.
 */
public final class JobLeases {
    /**
     * How long a job's lease lasts without renewal: a replica that died while running a job holds the
     * others up this long at most. Renewed every third of it, so two renewals can fail (a database
     * failover) before the lease is lost.
     */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(2);

    private final MetadataStore store;
    private final String holder;
    private final Clock clock;
    private final Duration ttl;

    /**
     * @param holder this replica's name in the leases, unique among the replicas sharing the database
     *               (as {@code GarbageCollector.holder(replicaId)} makes it)
     */
    public JobLeases(MetadataStore store, String holder, Clock clock) {
        this(store, holder, clock, DEFAULT_TTL);
    }

    public JobLeases(MetadataStore store, String holder, Clock clock, Duration ttl) {
        this.store = store;
        this.holder = holder;
        this.clock = clock;
        this.ttl = ttl;
    }

    /**
     * Takes {@code job}'s lease for {@code runId} and keeps it renewed until the returned lease is
     * closed. Throws {@code busy} (409) with {@code detail.holder}, {@code detail.id} and
     * {@code detail.leaseExpiresAt} when another run holds it, on this replica or another.
     */
    public HeldLease take(String job, String runId, ErrorCode busy) {
        Instant now = clock.instant();
        if (store.acquireJobLease(job, holder, runId, now, now.plus(ttl))) {
            return new HeldLease(store, job, holder, runId, clock, ttl, now.plus(ttl));
        }
        JobLease lease = store.jobLease(job).orElse(new JobLease(job, null, null, now, null));
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("holder", String.valueOf(lease.holder()));
        detail.put("id", String.valueOf(lease.runId()));
        detail.put("leaseExpiresAt", String.valueOf(lease.expiresAt()));
        throw new RegistryException(busy, busy.defaultMessage() + " on replica " + lease.holder(), detail);
    }

    /** When a run of {@code job} last started on any replica sharing the database; empty if never. */
    public Optional<Instant> lastStarted(String job) {
        return store.jobLease(job).map(JobLease::lastStartedAt);
    }
}
