package io.stowage.storage.meta;

import java.time.Instant;

/**
 * The lease row of one background job (a backup, a scrub): who holds it (the replica and its run)
 * until when, or nulls for the three while nobody does, and when a run of the job last started on any
 * replica (null if never). A lease past {@code expiresAt} is free for another replica to take.
 */
public record JobLease(String name, String holder, String runId, Instant expiresAt, Instant lastStartedAt) {

    /** True when a replica holds the lease and it has not expired at {@code now}. */
    public boolean heldAt(Instant now) {
        return holder != null && expiresAt != null && !expiresAt.isBefore(now);
    }
}
