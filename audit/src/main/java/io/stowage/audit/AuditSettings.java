package io.stowage.audit;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the log is kept.
 *
 * @param directory          where segments and {@code head.json} live
 * @param segmentMaxBytes    a segment is sealed once it reaches this size
 * @param rotateDaily        also seal a segment when the UTC day changes, so each day is its own file
 * @param checkpointInterval an open segment gets a signed checkpoint at least this often while records arrive
 * @param minFreeBytes       mutations are refused while the disk has less free space than this
 * @param retention          sealed segments younger than this are never deleted
 * @param replica            the replica whose chain this is, written into every record ({@link ReplicaId});
 *                           null only for a log of the single-chain format, whose records name no replica
 */
public record AuditSettings(Path directory, long segmentMaxBytes, boolean rotateDaily, Duration checkpointInterval,
                            long minFreeBytes, Duration retention, String replica) {

    public static final long DEFAULT_SEGMENT_BYTES = 64L * 1024 * 1024;
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofMinutes(1);
    public static final long DEFAULT_MIN_FREE_BYTES = 64L * 1024 * 1024;
    /** 13 months, counted generously. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(396);

    public AuditSettings {
        if (segmentMaxBytes < 4096) {
            throw new IllegalArgumentException("audit segment size must be at least 4096 bytes");
        }
        if (checkpointInterval.isNegative() || checkpointInterval.isZero() || checkpointInterval.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("audit checkpoint interval must be between 0 and 1 minute");
        }
        if (minFreeBytes < 0) {
            throw new IllegalArgumentException("audit minimum free space must not be negative");
        }
        if (retention.compareTo(Duration.ofDays(396)) < 0) {
            throw new IllegalArgumentException("audit retention must be at least 13 months (396 days)");
        }
        if (replica != null) {
            ReplicaId.check(replica);
        }
    }

    public static AuditSettings defaults(Path directory) {
        return new AuditSettings(directory, DEFAULT_SEGMENT_BYTES, true, DEFAULT_CHECKPOINT_INTERVAL,
                DEFAULT_MIN_FREE_BYTES, DEFAULT_RETENTION, null);
    }

    public AuditSettings withSegmentMaxBytes(long bytes) {
        return new AuditSettings(directory, bytes, rotateDaily, checkpointInterval, minFreeBytes, retention, replica);
    }

    public AuditSettings withCheckpointInterval(Duration interval) {
        return new AuditSettings(directory, segmentMaxBytes, rotateDaily, interval, minFreeBytes, retention, replica);
    }

    /** The same settings for the chain of replica {@code id} (null: a chain of the format without replicas). */
    public AuditSettings withReplica(String id) {
        return new AuditSettings(directory, segmentMaxBytes, rotateDaily, checkpointInterval, minFreeBytes, retention, id);
    }

    /** The same settings with the segments in {@code chainDirectory}. */
    public AuditSettings withDirectory(Path chainDirectory) {
        return new AuditSettings(chainDirectory, segmentMaxBytes, rotateDaily, checkpointInterval, minFreeBytes,
                retention, replica);
    }

    public AuditSettings withMinFreeBytes(long bytes) {
        return new AuditSettings(directory, segmentMaxBytes, rotateDaily, checkpointInterval, bytes, retention, replica);
    }
}
