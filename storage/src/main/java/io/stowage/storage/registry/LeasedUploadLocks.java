package io.stowage.storage.registry;

import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * {@link UploadLocks} shared by replicas: a lease on the session's row in the metadata store, taken
 * with one conditional update. No connection is held while a request streams (a {@code PATCH} may
 * take minutes, and hundreds run at once): the request renews the lease as it writes, once a third of
 * {@link #LEASE} has passed since the last renewal, confirms it (renewing) before the session's state
 * is committed, and gives it back at the end. A replica that died mid-request leaves a lease that
 * expires after {@link #LEASE}; a request that stalled that long without writing may find its session
 * taken, and then fails with nothing committed. Thread-safe.
 */
final class LeasedUploadLocks implements UploadLocks {
    /** Long enough that a slow client's pause between buffers does not lose the session; what a retry waits at most after a crash. */
    static final Duration LEASE = Duration.ofMinutes(2);
    private static final Logger log = LoggerFactory.getLogger(LeasedUploadLocks.class);

    private final MetadataStore metadata;
    private final Clock clock;
    private final Duration lease;
    /** Names this process in the writer column, for whoever looks at a busy session. */
    private final String process = ManagementFactory.getRuntimeMXBean().getName();

    LeasedUploadLocks(MetadataStore metadata, Clock clock, Duration lease) {
        this.metadata = metadata;
        this.clock = clock;
        this.lease = lease;
    }

    @Override
    public Hold lock(String uploadId) {
        // Unique per request, so a lease this process took for an earlier request is not mistaken for this one.
        String writer = process + "/" + UUID.randomUUID();
        Instant now = clock.instant();
        if (!metadata.takeUploadLease(uploadId, writer, now, now.plus(lease))) {
            throw RegistryException.uploadInvalid("another request is writing upload " + uploadId);
        }
        return new Lease(uploadId, writer, now);
    }

    private final class Lease implements Hold {
        private final String uploadId;
        private final String writer;
        private Instant renewedAt;
        private boolean lost;

        Lease(String uploadId, String writer, Instant takenAt) {
            this.uploadId = uploadId;
            this.writer = writer;
            this.renewedAt = takenAt;
        }

        @Override
        public void keepAlive() {
            if (lost || !clock.instant().isBefore(renewedAt.plus(lease.dividedBy(3)))) {
                renew();
            }
        }

        @Override
        public void confirm() {
            renew();
        }

        private void renew() {
            Instant now = clock.instant();
            if (lost || !metadata.renewUploadLease(uploadId, writer, now.plus(lease))) {
                lost = true;
                throw RegistryException.uploadInvalid("upload " + uploadId + " was taken over by another request while this one"
                        + " wrote nothing for " + lease.toSeconds() + "s; nothing of this request was kept");
            }
            renewedAt = now;
        }

        @Override
        public boolean lost() {
            return lost;
        }

        @Override
        public void release() {
            if (lost) {
                return;
            }
            try {
                metadata.releaseUploadLease(uploadId, writer);
            } catch (RuntimeException e) {
                log.warn("failed to give back an upload lease, it expires by itself upload={} lease={}", uploadId, lease, e);
            }
        }
    }
}
