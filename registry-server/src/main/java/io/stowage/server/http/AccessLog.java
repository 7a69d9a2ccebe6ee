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
    /** Up to the second; the milliseconds are appended by hand (the formatter's fraction goes through BigDecimal). */
    private static final DateTimeFormatter SECOND =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final int QUEUE = 16_384;
    private static final int BATCH = 1_024;
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** What one line says; formatted on the log's own thread. */
    private record Line(long epochMillis, String method, String path, int status, long in, long out, long micros,
                        String remote, boolean sent) {
    }

    private final OutputStream out;
    private final ArrayBlockingQueue<Line> queue;
    private final AtomicLong dropped = new AtomicLong();
    // Writer-thread state: the second last formatted, reused by every line within it.
    private long formattedSecond = Long.MIN_VALUE;
    private String formattedSecondText = "";
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
        long lastWriteNanos = 0;
        while (!closed || !queue.isEmpty()) {
            try {
                Line first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                // At most one write per LINGER under load: a wake-up and a write call per few lines
                // cost more than formatting them. A quiet server's line waits at most that long.
                long wait = LINGER_NANOS - (System.nanoTime() - lastWriteNanos);
                if (wait > 0 && !closed && queue.size() < BATCH) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, BATCH - 1);
            long lost = dropped.getAndSet(0);
            if (lost > 0) {
                time(System.currentTimeMillis(), text);
                text.append(" WARN  [access-log] io.stowage.access - dropped=")
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
            lastWriteNanos = System.nanoTime();
        }
    }

    /** {@code yyyy-MM-ddTHH:mm:ss.SSSZ} in UTC. */
    private void time(long epochMillis, StringBuilder text) {
        long second = Math.floorDiv(epochMillis, 1000);
        if (second != formattedSecond) {
            formattedSecond = second;
            formattedSecondText = SECOND.format(Instant.ofEpochSecond(second));
        }
        int millis = (int) Math.floorMod(epochMillis, 1000);
        text.append(formattedSecondText).append('.').append(millis < 100 ? millis < 10 ? "00" : "0" : "").append(millis)
                .append('Z');
    }

    private void format(Line line, StringBuilder text) {
        time(line.epochMillis(), text);
        text.append(" INFO  [access-log] io.stowage.access - request method=").append(line.method())
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
