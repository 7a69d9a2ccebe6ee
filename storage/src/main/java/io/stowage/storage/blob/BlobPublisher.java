package io.stowage.storage.blob;

import io.stowage.storage.oci.Digest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Moves verified, already forced bytes into the blobs tree under their digest: the one step that
 * makes a blob visible (invariant 1). The file is renamed atomically, so a reader sees either no
 * blob or the whole blob, and the directories involved are forced, so an acknowledged blob
 * survives a crash (invariant 2).
 *
 * <p>Remembers which fan-out directories are known to be durable, so that the parent directory is
 * forced once per fan-out directory and process rather than on every commit. Fan-out directories
 * are never removed while the store runs (deleting a blob leaves its directory), which keeps that
 * memory true.
 *
 * <p>Thread-safe; two sessions may publish the same digest at the same time. A publish of a digest
 * that is already stored replaces the stored file with the bytes just verified (rename(2) replaces
 * its target atomically; a reader that has the old file open keeps reading it). Verified bytes are
 * never worse than what is there, and a copy damaged on disk since its own publish (a flipped bit
 * that only the integrity scrub would notice) is healed by the next push of that digest instead of
 * the push being acknowledged on top of it. The existence check that decides whether a blob was new,
 * the rename, and {@link #withdraw} are one step per digest under a lock striped by digest, held for
 * no longer than a rename, never across an fsync.
 */
final class BlobPublisher {

    private static final Logger log = LoggerFactory.getLogger(BlobPublisher.class);
    private static final int LOCK_STRIPES = 64;

    private final BlobLayout layout;
    private final Set<Path> durableFanOutDirs = ConcurrentHashMap.newKeySet();
    private final Object[] publishLocks = new Object[LOCK_STRIPES];

    BlobPublisher(BlobLayout layout) {
        this.layout = layout;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            publishLocks[i] = new Object();
        }
    }

    /**
     * Publishes {@code verified} (content already checked against {@code digest} and forced to
     * disk) under {@code digest}. When the blob is already stored, the stored file is replaced by
     * {@code verified}: one copy stays, and it is the one just verified.
     *
     * @return true if this call stored the blob, false if one was there already (and is now replaced)
     */
    boolean publish(Path verified, Digest digest) throws IOException {
        Path target = layout.blobFile(digest);
        Path fanOut = target.getParent();
        ensureDurable(fanOut);
        boolean stored;
        synchronized (lockFor(digest)) {
            stored = !Files.exists(target);
            Files.move(verified, target, StandardCopyOption.ATOMIC_MOVE);
        }
        // Forced in both cases: when another session stored the blob, it may not have forced the
        // directory yet, and our caller is about to be told the blob is safe.
        Durability.forceDirectory(fanOut);
        if (!stored) {
            log.debug("blob already stored, replaced with the bytes just verified digest={}", digest);
        }
        return stored;
    }

    /**
     * Moves the stored blob of {@code digest} to {@code target} (a path on the same filesystem, outside
     * the blobs tree), atomically with respect to {@link #publish}; forces both directories.
     *
     * @return false if no blob was stored
     */
    boolean withdraw(Digest digest, Path target) throws IOException {
        Path blob = layout.blobFile(digest);
        synchronized (lockFor(digest)) {
            if (!Files.exists(blob)) {
                return false;
            }
            Files.move(blob, target, StandardCopyOption.ATOMIC_MOVE);
        }
        Durability.forceDirectory(blob.getParent());
        Durability.forceDirectory(target.getParent());
        return true;
    }

    private Object lockFor(Digest digest) {
        return publishLocks[Math.floorMod(digest.hashCode(), LOCK_STRIPES)];
    }

    private void ensureDurable(Path fanOut) throws IOException {
        if (durableFanOutDirs.contains(fanOut)) {
            return;
        }
        Durability.createDirectory(fanOut);
        durableFanOutDirs.add(fanOut);
    }

    void forgetDirectories() {
        durableFanOutDirs.clear();
    }
}
