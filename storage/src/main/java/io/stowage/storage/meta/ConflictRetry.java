package io.stowage.storage.meta;

import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a PostgreSQL transaction that lost to a concurrent one is run again, and how long to wait
 * first. A lost transaction is a serialization failure (SQLState {@code 40001}: SERIALIZABLE found
 * no serial order that includes it) or a deadlock ({@code 40P01}); both leave nothing behind, so the
 * whole unit of work runs again on a fresh snapshot. The wait is random up to a bound that doubles
 * with each attempt ("full jitter"), so replicas that collided do not collide again in step.
 * Immutable and thread-safe.
 */
final class ConflictRetry {
    static final String SERIALIZATION_FAILURE = "40001";
    static final String DEADLOCK_DETECTED = "40P01";

    private final int attempts;
    private final long firstBoundMillis;
    private final long maxBoundMillis;

    /**
     * @param attempts         how many times a unit of work runs at most, the first included
     * @param firstBoundMillis the longest wait after the first failure
     * @param maxBoundMillis   the longest wait after any failure
     */
    ConflictRetry(int attempts, long firstBoundMillis, long maxBoundMillis) {
        if (attempts < 1 || firstBoundMillis < 1 || maxBoundMillis < firstBoundMillis) {
            throw new IllegalArgumentException("attempts " + attempts + ", bounds " + firstBoundMillis + ".." + maxBoundMillis);
        }
        this.attempts = attempts;
        this.firstBoundMillis = firstBoundMillis;
        this.maxBoundMillis = maxBoundMillis;
    }

    /**
     * Twelve attempts, waits of at most 2, 4, 8 ... 250 ms: about two seconds of waiting in the worst
     * case, which many writers of one hot row (the same blob linked by every replica) stay well within.
     */
    static ConflictRetry standard() {
        return new ConflictRetry(12, 2, 250);
    }

    int attempts() {
        return attempts;
    }

    /** Whether {@code failedAttempt} (1 for the first run) lost a conflict and may run again. */
    boolean shouldRetry(SQLException failure, int failedAttempt) {
        return failedAttempt < attempts && isConflict(failure);
    }

    /** True for a serialization failure or deadlock anywhere in the exception's causes or chain. */
    static boolean isConflict(SQLException failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException e = sql; e != null; e = e.getNextException()) {
                    String state = e.getSQLState();
                    if (SERIALIZATION_FAILURE.equals(state) || DEADLOCK_DETECTED.equals(state)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The wait before running again after {@code failedAttempt} failed: random, up to its bound. */
    long backoffMillis(int failedAttempt) {
        return ThreadLocalRandom.current().nextLong(boundMillis(failedAttempt) + 1);
    }

    /** The doubling bound, capped. */
    long boundMillis(int failedAttempt) {
        int doublings = Math.min(failedAttempt - 1, 30);
        return Math.min(maxBoundMillis, firstBoundMillis << doublings);
    }

    void pauseAfter(int failedAttempt) {
        try {
            Thread.sleep(backoffMillis(failedAttempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetadataStoreException("interrupted before running a metadata transaction again", e);
        }
    }
}
