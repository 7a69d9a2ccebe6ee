package io.stowage.gc;

import java.time.Duration;

/**
 * How the collector decides and paces.
 *
 * @param gracePeriod a blob written, mounted, checked with HEAD or referenced by a push within this
 *                    long is never swept
 * @param retention   a deleted tag's or manifest's content (and a moved tag's previous digest) is kept
 *                    this long after the deletion or move
 * @param batchSize   removals per batch; the pause is obeyed between batches
 */
public record GcSettings(Duration gracePeriod, Duration retention, int batchSize) {
    public GcSettings {
        if (gracePeriod.isNegative() || retention.isNegative() || batchSize <= 0) {
            throw new IllegalArgumentException("grace and retention must be >= 0 and batch size > 0");
        }
    }
}
