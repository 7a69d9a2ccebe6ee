package io.stowage.gc;

import io.stowage.storage.meta.GcPause;
import io.stowage.storage.meta.GcRunRecord;

import java.time.Duration;

/**
 * What {@code GET /admin/gc} reports: idle, running or paused; the pause's who, when and why; the
 * grace period; the run in progress and the last finished run (either may be null).
 */
public record GcStatus(String state, GcPause pause, Duration gracePeriod, Duration retention, GcRunRecord currentRun,
                       GcRunRecord lastRun) {
}
