package io.stowage.recovery.scrub;

import io.stowage.storage.blob.BlobContent;
import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.blob.DigestLocks;
import io.stowage.storage.oci.Digest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Clock;
import java.util.Optional;

/**
 * Takes one blob found corrupt out of service, safely against pushes of the same digest.
 *
 * <p>Under the digest's lock in {@link DigestLocks} (the lock under which an upload checks that its
 * published bytes are there and links them), the file is hashed once more: a push that completed
 * since the first hash has replaced the damaged file with verified bytes (a publish replaces an
 * existing file), and then there is nothing to quarantine. A push that publishes after the move
 * stores its own file; one whose publish the move took away finds no bytes under the lock and fails
 * instead of being acknowledged. Either way an acknowledged push has a correct blob. The second hash
 * runs without pacing: it happens only for a blob already found corrupt, and the lock (a stripe shared
 * with other digests in this process, and with PostgreSQL a database lock) should not be held for
 * longer than the disk needs.
 *
 * <p>Fail closed: the move starts only if the audit log can take records now, and its
 * {@code scrub.quarantine} record is durable before the next blob is looked at.
 */
final class BlobQuarantine {
    private static final Logger log = LoggerFactory.getLogger(BlobQuarantine.class);

    /** What became of the blob. */
    enum Outcome { QUARANTINED, HEALED, GONE }

    private final BlobStore blobs;
    private final DigestLocks locks;
    private final ScrubAudit audit;
    private final Clock clock;
    private final BlobHasher hasher = new BlobHasher();
    private final BytePacer unpaced;

    BlobQuarantine(BlobStore blobs, DigestLocks locks, ScrubAudit audit, Clock clock, BytePacer.Timer timer) {
        this.blobs = blobs;
        this.locks = locks;
        this.audit = audit;
        this.clock = clock;
        this.unpaced = new BytePacer(0, timer);
    }

    Outcome quarantine(ScrubFindings run, Digest digest, String reason) throws IOException {
        return locks.withLock(digest.toString(), () -> underLock(run, digest, reason));
    }

    private Outcome underLock(ScrubFindings run, Digest digest, String firstReason) throws IOException {
        Optional<BlobContent> content = blobs.open(digest);
        if (content.isEmpty()) {
            return Outcome.GONE;
        }
        long size;
        Digest actual = null;
        String reason = firstReason;
        try (BlobContent blob = content.get()) {
            size = blob.size();
            try {
                actual = hasher.hash(blob, digest.algorithm(), unpaced);
                reason = "the stored bytes hash to " + actual;
            } catch (IOException unreadable) {
                if (unreadable instanceof ClosedByInterruptException || Thread.currentThread().isInterrupted()) {
                    // Stopped mid-read, not an unreadable file: quarantine nothing.
                    throw new InterruptedIOException("scrub stopped");
                }
                reason = "unreadable: " + unreadable.getMessage();
            } catch (InterruptedException e) {
                // Unpaced hashing never waits; should the thread be stopped anyway, keep the flag.
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("scrub stopped");
            }
        }
        if (digest.equals(actual)) {
            log.info("blob found corrupt is intact now (replaced by a push meanwhile) digest={}", digest);
            return Outcome.HEALED;
        }
        run.corruptBlob(digest, size, actual, reason);
        audit.ensureWritable();
        Optional<String> path = blobs.quarantine(digest, new BlobStore.QuarantineNote(reason, actual, clock.instant()));
        if (path.isEmpty()) {
            return Outcome.GONE;
        }
        run.quarantined(digest, path.get(), reason);
        log.error("CORRUPT BLOB quarantined digest={} path={} reason={}", digest, path.get(), reason);
        audit.quarantined(run, digest.toString(), path.get(), reason, size);
        return Outcome.QUARANTINED;
    }
}
