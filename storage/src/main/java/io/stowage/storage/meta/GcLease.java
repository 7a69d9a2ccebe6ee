package io.stowage.storage.meta;

import java.time.Instant;

/**
 * Who holds the collection lease: the replica and its run, until when. A lease past
 * {@code expiresAt} is free for another replica to take (its holder died or stalled).
 */
public record GcLease(String holder, String runId, Instant expiresAt) {
}
