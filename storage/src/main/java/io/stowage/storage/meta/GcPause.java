package io.stowage.storage.meta;

import java.time.Instant;

/** The garbage collector's pause switch as stored: who paused it, when and why. */
public record GcPause(boolean paused, String pausedBy, Instant pausedAt, String reason) {
}
