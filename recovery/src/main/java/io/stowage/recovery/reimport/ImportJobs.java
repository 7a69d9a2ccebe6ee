package io.stowage.recovery.reimport;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Layout imports running in the background, one at a time on a thread of their own (an import of a
 * whole backup can take hours; it must hold neither a request worker nor the caller's connection),
 * with the last {@value #KEPT} kept in memory for {@code GET /admin/imports/{id}}. A restart forgets
 * them; the audit log keeps one {@code recovery.import} event per image. Thread-safe.
 */
public final class ImportJobs implements AutoCloseable {
    static final int KEPT = 100;

    private final Clock clock;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "registry-import");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Job> jobs = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Job> eldest) {
            return size() > KEPT;
        }
    });

    public ImportJobs(Clock clock) {
        this.clock = clock;
    }

    /**
     * One import: what it was asked, and once {@code finishedAt} is set, its {@code outcome}
     * ({@code completed}, {@code incomplete}: some item failed, {@code failed}: it could not run)
     * with the report or the error.
     */
    public record Job(String id, String from, String repository, String actor, Instant startedAt, Instant finishedAt,
                      String outcome, LayoutImporter.Report report, String error) {
        Job finished(Instant at, String outcome, LayoutImporter.Report report, String error) {
            return new Job(id, from, repository, actor, startedAt, at, outcome, report, error);
        }
    }

    /** Queues {@code work} (given the job's id); the job is listed as running at once. */
    public Job start(String from, String repository, String actor, Function<String, LayoutImporter.Report> work) {
        String id = UUID.randomUUID().toString();
        Job job = new Job(id, from, repository, actor, clock.instant(), null, null, null, null);
        jobs.put(id, job);
        executor.execute(() -> {
            Job done;
            try {
                LayoutImporter.Report report = work.apply(id);
                done = job.finished(clock.instant(), report.complete() ? "completed" : "incomplete", report, null);
            } catch (RuntimeException e) {
                done = job.finished(clock.instant(), "failed", null, String.valueOf(e.getMessage()));
            }
            jobs.put(id, done);
        });
        return job;
    }

    public Optional<Job> job(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    /** Newest first. */
    public List<Job> jobs() {
        List<Job> all;
        synchronized (jobs) {
            all = new ArrayList<>(jobs.values());
        }
        Collections.reverse(all);
        return all;
    }

    @Override
    public void close() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(10, TimeUnit.SECONDS);
    }
}
