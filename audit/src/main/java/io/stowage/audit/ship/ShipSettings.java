package io.stowage.audit.ship;

import io.stowage.audit.AuditSettings;

import java.time.Duration;

/**
 * How sealed segments are shipped.
 *
 * @param retention how long each shipped object is locked, counted from its upload; at least the
 *                  13 months the log itself keeps a segment
 * @param interval  how often the shipper looks for newly sealed segments while the archive answers
 * @param maxBackoff the longest wait between attempts while the archive does not answer
 */
public record ShipSettings(Duration retention, Duration interval, Duration maxBackoff) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(5);

    public ShipSettings {
        if (retention == null || retention.compareTo(AuditSettings.DEFAULT_RETENTION) < 0) {
            throw new IllegalArgumentException("audit.ship.retention must be at least 13 months (P396D), not " + retention);
        }
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the shipping interval must be positive, not " + interval);
        }
        if (maxBackoff == null || maxBackoff.isNegative() || maxBackoff.isZero()) {
            throw new IllegalArgumentException("the longest shipping back-off must be positive, not " + maxBackoff);
        }
    }

    public static ShipSettings of(Duration retention) {
        return new ShipSettings(retention, DEFAULT_INTERVAL, DEFAULT_MAX_BACKOFF);
    }
}
