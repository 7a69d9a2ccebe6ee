package io.stowage.server.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One line per answered request on standard output, for operators' log collectors. The audit log
 * is the durable record of every request; this is a convenience, so it never slows a request
 * down: a line is queued as a few fields, and a thread of its own formats whatever has queued
 * and writes it with one call and one flush. When output cannot keep up, lines are dropped and
 * the drop is counted in the next line written. (Through logback, one formatted, flushed write
 * per request cost 40 % of the manifest GETs a 2-core machine served.)
 *
 * <p>On when the {@code io.stowage.access} logger is at INFO (the default; {@code
 * REGISTRY_LOG_LEVEL=WARN} turns it off with the other INFO lines). Thread-safe.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);
    private static final int QUEUE = 16_384;
    private static final int BATCH = 1_024;

    /** What one line says; formatted on the log's own thread. */
    private record Line(long epochMillis, String method, String path, int status, long in, long out, long micros,
                        String remote, boolean sent) {
    }

    private final OutputStream out;
    private final ArrayBlockingQueue<Line> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;

    AccessLog(OutputStream out) {
        this.out = out;
        this.queue = new ArrayBlockingQueue<>(QUEUE);
        this.writer = new Thread(this::run, "access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** Writes to {@code out}, or returns null when the {@code io.stowage.access} logger is below INFO. */
    public static AccessLog toStream(OutputStream out) {
        return LoggerFactory.getLogger("io.stowage.access").isInfoEnabled() ? new AccessLog(out) : null;
    }

    /** Queues one line; never blocks. False when it was dropped instead. */
    boolean request(String method, String path, int status, long in, long out, long micros, String remote,
                    boolean sent) {
        if (closed || !queue.offer(new Line(System.currentTimeMillis(), method, path, status, in, out, micros, remote,
                sent))) {
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    private void run() {
        List<Line> batch = new ArrayList<>(BATCH);
        StringBuilder text = new StringBuilder(BATCH * 160);
        while (!closed || !queue.isEmpty()) {
            try {
                Line first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, BATCH - 1);
            long lost = dropped.getAndSet(0);
            if (lost > 0) {
                text.append(TIME.format(Instant.now())).append(" WARN  [access-log] io.stowage.access - dropped=")
                        .append(lost).append(" lines the output could not keep up with\n");
            }
            for (Line line : batch) {
                format(line, text);
            }
            try {
                out.write(text.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                log.warn("cannot write the access log", e);
            }
            batch.clear();
            text.setLength(0);
        }
    }

    private static void format(Line line, StringBuilder text) {
        text.append(TIME.format(Instant.ofEpochMilli(line.epochMillis())))
                .append(" INFO  [access-log] io.stowage.access - request method=").append(line.method())
                .append(" path=").append(line.path())
                .append(" status=").append(line.status())
                .append(" in=").append(line.in())
                .append(" out=").append(line.out())
                .append(" ms=").append(line.micros() / 1000).append('.');
        long fraction = line.micros() % 1000;
        text.append(fraction < 100 ? fraction < 10 ? "00" : "0" : "").append(fraction)
                .append(" remote=").append(line.remote());
        if (!line.sent()) {
            text.append(" aborted=true");
        }
        text.append('\n');
    }

    /** Writes what is queued and stops. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        writer.join(TimeUnit.SECONDS.toMillis(5));
    }
}
