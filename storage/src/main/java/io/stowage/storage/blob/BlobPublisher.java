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
 * <p>Thread-safe; two sessions may publish the same digest at the same time. rename(2) silently
 * replaces an existing target, so the check for an existing blob and the rename are made one step
 * by a lock striped by digest: the second publisher then finds the blob and drops its own bytes.
 * The lock is held for the check and the rename only, never across an fsync. (A second process
 * over the same directory is not supported; if one raced us anyway, the rename would replace a
 * complete, forced file with an identical one, which no reader can tell apart.)
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
     * disk) under {@code digest}. When the blob is already stored, {@code verified} is deleted
     * instead: one copy is kept and the caller succeeds all the same.
     *
     * @return true if this call stored the blob, false if it was already there
     */
    boolean publish(Path verified, Digest digest) throws IOException {
        Path target = layout.blobFile(digest);
        Path fanOut = target.getParent();
        ensureDurable(fanOut);
        boolean stored;
        synchronized (lockFor(digest)) {
            stored = !Files.exists(target);
            if (stored) {
                Files.move(verified, target, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        if (!stored) {
            Files.delete(verified);
        }
        // Forced in both cases: when another session stored the blob, it may not have forced the
        // directory yet, and our caller is about to be told the blob is safe.
        Durability.forceDirectory(fanOut);
        if (!stored) {
            log.debug("blob already stored, dropped duplicate upload bytes digest={}", digest);
        }
        return stored;
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
