package io.stowage.storage.meta;

import java.time.Instant;

/**
 * One garbage-collection run as recorded: its counts so far, and when finished its outcome
 * ({@code completed}, {@code paused} or {@code failed}).
 */
public record GcRunRecord(String id, boolean dryRun, Instant startedAt, Instant finishedAt, String outcome,
                          long markedManifests, long markedBlobs, long sweptManifests, long sweptBlobs,
                          long sweptBytes, String error) {
}
