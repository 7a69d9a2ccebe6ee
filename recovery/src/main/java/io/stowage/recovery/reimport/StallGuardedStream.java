package io.stowage.recovery.reimport;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A body from another registry that is cut off when no byte arrives for a while. The JDK's
 * {@code HttpClient} times out only the wait for an answer's headers; a source that stops in the
 * middle of a layer would otherwise hold the re-import (and its request worker) until the TCP
 * connection dies, which can be hours. A shared watcher closes a stream that made no progress for
 * {@code stall}; the blocked read then fails and the import reports that blob as failed.
 */
final class StallGuardedStream extends FilterInputStream {
    private static final ScheduledExecutorService WATCHER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "reimport-stall-watch");
        t.setDaemon(true);
        return t;
    });

    private final long stallNanos;
    private final ScheduledFuture<?> check;
    private volatile long lastProgress = System.nanoTime();
    private volatile boolean stalled;

    StallGuardedStream(InputStream in, Duration stall) {
        super(in);
        this.stallNanos = stall.toNanos();
        long period = Math.max(50, stall.toMillis() / 4);
        this.check = WATCHER.scheduleWithFixedDelay(this::closeIfStalled, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public int read() throws IOException {
        try {
            int b = super.read();
            lastProgress = System.nanoTime();
            return b;
        } catch (IOException e) {
            throw stalled ? stalledException(e) : e;
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        try {
            int n = super.read(buffer, offset, length);
            lastProgress = System.nanoTime();
            if (n < 0 && stalled) {
                throw stalledException(null);
            }
            return n;
        } catch (IOException e) {
            throw stalled ? stalledException(e) : e;
        }
    }

    @Override
    public void close() throws IOException {
        check.cancel(false);
        super.close();
    }

    private void closeIfStalled() {
        if (System.nanoTime() - lastProgress < stallNanos) {
            return;
        }
        stalled = true;
        check.cancel(false);
        try {
            in.close();
        } catch (IOException | RuntimeException ignored) {
            // The reader sees the stream end or fail either way.
        }
    }

    private IOException stalledException(IOException cause) {
        return new IOException("the source sent nothing for " + Duration.ofNanos(stallNanos).toSeconds()
                + " s; cut off", cause);
    }
}
