package io.stowage.recovery.scrub;

import io.stowage.recovery.jobs.LeaseCheck;
import io.stowage.storage.blob.BlobContent;
import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.oci.Digest;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.Optional;

/**
 * The first half of a run: every stored blob re-hashed through the pacer. A blob whose bytes do not
 * hash to its name (or cannot be read to the end) is corrupt: reported, and unless the run is dry,
 * handed to {@link BlobQuarantine}. A blob removed while the walk runs (collected) is skipped. Used
 * by one thread.
 */
final class BlobPass {
    private final BlobStore blobs;
    private final BlobQuarantine quarantine;
    private final BytePacer pacer;
    private final boolean dryRun;
    private final LeaseCheck lease;
    private final BlobHasher hasher = new BlobHasher();

    /** @param lease asked before each blob: a run whose lease another replica took reads no further */
    BlobPass(BlobStore blobs, BlobQuarantine quarantine, BytePacer pacer, boolean dryRun, LeaseCheck lease) {
        this.blobs = blobs;
        this.quarantine = quarantine;
        this.pacer = pacer;
        this.dryRun = dryRun;
        this.lease = lease;
    }

    void run(ScrubFindings run) throws IOException, InterruptedException {
        try {
            blobs.forEachBlob(stored -> {
                try {
                    check(run, stored.digest());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    throw new Stopped(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (Stopped e) {
            throw (InterruptedException) e.getCause();
        }
    }

    private void check(ScrubFindings run, Digest digest) throws IOException, InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("scrub stopped");
        }
        lease.ensureHeld();
        Optional<BlobContent> content = blobs.open(digest);
        if (content.isEmpty()) {
            return;
        }
        long size;
        Digest actual = null;
        String reason;
        try (BlobContent blob = content.get()) {
            size = blob.size();
            try {
                actual = hasher.hash(blob, digest.algorithm(), pacer);
                reason = "the stored bytes hash to " + actual;
            } catch (ClosedByInterruptException | InterruptedIOException stopped) {
                // The run was stopped mid-read: that says nothing about the blob.
                throw new InterruptedException("scrub stopped");
            } catch (IOException unreadable) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException("scrub stopped");
                }
                reason = "unreadable: " + unreadable.getMessage();
            }
        }
        run.blobChecked(size);
        if (digest.equals(actual)) {
            return;
        }
        if (dryRun) {
            run.corruptBlob(digest, size, actual, reason);
            return;
        }
        quarantine.quarantine(run, digest, reason);
    }

    /** Carries an interruption out of the visitor. */
    private static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped(InterruptedException cause) {
            super(cause);
        }
    }
}
