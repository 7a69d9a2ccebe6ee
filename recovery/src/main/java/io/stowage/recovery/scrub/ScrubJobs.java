package io.stowage.recovery.scrub;

import io.stowage.recovery.jobs.HeldLease;
import io.stowage.recovery.jobs.JobLeases;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Scrub runs in the background, one at a time on a thread of their own (a scrub of a large registry
 * reads every byte at a bounded rate and can take days; it must hold no request worker and never an
 * event loop), with the last {@value #KEPT} finished reports kept in memory for
 * {@code GET /admin/scrub/runs/{id}}. A restart forgets the reports; the audit log keeps every run's
 * start and end, each quarantine and each repair.
 *
 * <p>One at a time across replicas too: a run holds the job lease {@value #LEASE} of the shared
 * metadata database, so replicas sharing a bucket do not each re-read all of it, and a run whose
 * lease another replica took stops at its next blob or manifest. Thread-safe.
 */
public final class ScrubJobs implements AutoCloseable {
    /** The name of the scrub's job lease. */
    public static final String LEASE = "scrub";
    static final int KEPT = 50;

    private final Scrubber scrubber;
    private final JobLeases leases;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "registry-scrub");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, ScrubReport> finished = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ScrubReport> eldest) {
            return size() > KEPT;
        }
    };
    private Scrubber.Run current;

    public ScrubJobs(Scrubber scrubber, JobLeases leases) {
        this.scrubber = scrubber;
        this.leases = leases;
    }

    /**
     * Starts a run in the background; {@code SCRUB_RUNNING} while one is under way (with
     * {@code detail.holder} and {@code detail.leaseExpiresAt} when it is another replica's). Returns
     * it as started.
     */
    public synchronized ScrubReport start(Scrubber.Request request) {
        if (current != null) {
            throw new RegistryException(ErrorCode.SCRUB_RUNNING, "an integrity scrub is running",
                    Map.of("id", current.id()));
        }
        Scrubber.Run run = scrubber.prepare(request);
        HeldLease lease = leases.take(LEASE, run.id(), ErrorCode.SCRUB_RUNNING);
        try {
            executor.execute(() -> {
                ScrubReport report;
                try (lease) {
                    report = run.execute(lease);
                }
                synchronized (this) {
                    finished.put(report.id(), report);
                    current = null;
                }
            });
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
        current = run;
        return run.report();
    }

    /** The run under way, as of now. */
    public synchronized Optional<ScrubReport> current() {
        return current == null ? Optional.empty() : Optional.of(current.report());
    }

    /** The last finished run. */
    public synchronized Optional<ScrubReport> lastRun() {
        List<ScrubReport> all = new ArrayList<>(finished.values());
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** The running one first, then finished ones newest first. */
    public synchronized List<ScrubReport> runs() {
        List<ScrubReport> all = new ArrayList<>(finished.values());
        Collections.reverse(all);
        if (current != null) {
            all.add(0, current.report());
        }
        return all;
    }

    public synchronized Optional<ScrubReport> run(String id) {
        if (current != null && current.id().equals(id)) {
            return Optional.of(current.report());
        }
        return Optional.ofNullable(finished.get(id));
    }

    /** Stops a run under way (it ends {@code failed}) and the thread. */
    @Override
    public void close() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(10, TimeUnit.SECONDS);
    }
}
