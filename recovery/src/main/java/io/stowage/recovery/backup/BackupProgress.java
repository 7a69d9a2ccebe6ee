package io.stowage.recovery.backup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The counters of a run as it goes, readable at any moment as a {@link BackupReport} (the admin
 * API shows a running backup's progress). Thread-safe: the run writes, API requests read.
 */
final class BackupProgress {
    /** A run reports at most this many problems; the count of the rest is in the last one. */
    private static final int MAX_PROBLEMS = 100;

    private final String id;
    private final String to;
    private final String actor;
    private final Instant startedAt;
    private final long startedNanos = System.nanoTime();
    private long blobsWritten;
    private long blobsPresent;
    private long manifestsWritten;
    private long manifestsPresent;
    private long bytesWritten;
    private int tags;
    private int untagged;
    private int deleted;
    private long journalEvents;
    private boolean indexWritten;
    private boolean unchanged;
    private final List<BackupReport.Problem> problems = new ArrayList<>();
    private long problemsLeftOut;
    private Instant finishedAt;
    private long durationMs;
    private String outcome;
    private String error;

    BackupProgress(String id, String to, String actor, Instant startedAt) {
        this.id = id;
        this.to = to;
        this.actor = actor;
        this.startedAt = startedAt;
    }

    String id() {
        return id;
    }

    String actor() {
        return actor;
    }

    synchronized void blob(BlobCopy.Result result) {
        if (result.outcome() == BlobCopy.Outcome.WRITTEN) {
            blobsWritten++;
            bytesWritten += result.bytes();
        } else if (result.outcome() == BlobCopy.Outcome.PRESENT) {
            blobsPresent++;
        }
    }

    synchronized void manifest(BlobCopy.Result result) {
        if (result.outcome() == BlobCopy.Outcome.WRITTEN) {
            manifestsWritten++;
            bytesWritten += result.bytes();
        } else if (result.outcome() == BlobCopy.Outcome.PRESENT) {
            manifestsPresent++;
        }
    }

    synchronized void problem(BackupReport.Problem problem) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(problem);
        } else {
            problemsLeftOut++;
        }
    }

    synchronized boolean hasProblems() {
        return !problems.isEmpty();
    }

    synchronized void journal(long events) {
        journalEvents += events;
    }

    synchronized void index(IndexDocument.Counts counts) {
        tags = counts.tags();
        untagged = counts.untagged();
        deleted = counts.deleted();
        indexWritten = true;
    }

    synchronized void unchanged() {
        unchanged = true;
    }

    synchronized void finish(String outcome, String error, Instant at) {
        this.outcome = outcome;
        this.error = error;
        this.finishedAt = at;
        this.durationMs = (System.nanoTime() - startedNanos) / 1_000_000;
    }

    synchronized BackupReport report() {
        List<BackupReport.Problem> listed = new ArrayList<>(problems);
        if (problemsLeftOut > 0) {
            listed.add(new BackupReport.Problem("more", null, null, problemsLeftOut + " more problems not listed"));
        }
        long duration = finishedAt != null ? durationMs : (System.nanoTime() - startedNanos) / 1_000_000;
        return new BackupReport(id, to, actor, startedAt, finishedAt, outcome,
                new BackupReport.Count(blobsWritten, blobsPresent), new BackupReport.Count(manifestsWritten, manifestsPresent),
                bytesWritten, tags, untagged, deleted, journalEvents, indexWritten, unchanged, duration, listed, error);
    }
}
