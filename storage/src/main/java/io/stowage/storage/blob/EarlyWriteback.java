package io.stowage.storage.blob;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Starts the disk on a big upload's bytes while more are still arriving. The kernel begins
 * writing dirty pages back only past a share of RAM (gigabytes on a server), so without this a
 * 1 GiB push wrote everything to the page cache first and then waited about two seconds in the
 * commit's fsync with the disk idle until then: a third of the push's time (curl -T of 1 GiB:
 * 255-280 MiB/s without, 326-360 with; a 16 MiB step measured the same as 64, also for 16
 * concurrent 32 MiB pushes). Every {@link #EVERY} bytes
 * an fsync of the file runs on a thread of its own while the upload goes on, so the commit's
 * fsync finds little left to do. Only a hint: durability still comes from that fsync, and a
 * failed or skipped early one changes nothing. Thread-safe.
 */
final class EarlyWriteback implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EarlyWriteback.class);
    /** Blobs smaller than this never trigger one; their commit fsync is short anyway. */
    static final long EVERY = 64L * 1024 * 1024;

    private final ThreadPoolExecutor flusher;
    /** Files with a flush queued or running: one at a time per file is enough. */
    private final Set<Path> pending = ConcurrentHashMap.newKeySet();

    EarlyWriteback() {
        this.flusher = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(256), r -> {
            Thread t = new Thread(r, "blob-writeback");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Says that {@code file} grew from {@code before} to {@code after} bytes. */
    void written(Path file, long before, long after) {
        if (before / EVERY == after / EVERY || !pending.add(file)) {
            return;
        }
        try {
            flusher.execute(() -> flush(file));
        } catch (RejectedExecutionException busy) {
            pending.remove(file);
        }
    }

    private void flush(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.force(false);
        } catch (NoSuchFileException gone) {
            // Committed or cancelled meanwhile: nothing to start.
        } catch (IOException e) {
            log.debug("early writeback failed file={}; the commit's fsync will report a real problem", file, e);
        } finally {
            pending.remove(file);
        }
    }

    @Override
    public void close() {
        flusher.shutdownNow();
    }
}
