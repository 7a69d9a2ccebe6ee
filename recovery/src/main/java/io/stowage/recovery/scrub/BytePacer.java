package io.stowage.recovery.scrub;

/**
 * A token bucket over bytes: {@link #acquire} returns at once while the bucket holds enough, and
 * otherwise sleeps until the rate has paid for the bytes. The scrub reads every stored byte; pacing
 * it keeps the disk free for the pulls and pushes it shares with. Over any window of {@code T}
 * seconds at most {@code burst + rate * T} bytes pass, where the burst is a tenth of a second's
 * worth (a blob read in 1 MiB chunks then flows smoothly instead of in bursts of a whole second).
 *
 * <p>Time comes from a {@link Timer}, so a test checks the pacing with a clock it moves itself and
 * no wall-clock timing. Used by one thread.
 */
public final class BytePacer {
    /** Where time comes from and how to wait. */
    public interface Timer {
        long nanoTime();

        void sleepNanos(long nanos) throws InterruptedException;

        Timer SYSTEM = new Timer() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleepNanos(long nanos) throws InterruptedException {
                java.util.concurrent.TimeUnit.NANOSECONDS.sleep(nanos);
            }
        };
    }

    private static final double NANOS_PER_SECOND = 1_000_000_000d;

    private final long bytesPerSecond;
    private final double burst;
    private final Timer timer;
    private double tokens;
    private long last;

    /** @param bytesPerSecond the rate; 0 means no limit */
    public BytePacer(long bytesPerSecond, Timer timer) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bytes per second must be 0 (no limit) or more, was " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.burst = Math.max(1, bytesPerSecond / 10d);
        this.timer = timer;
        this.tokens = burst;
        this.last = timer.nanoTime();
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** Waits until {@code bytes} more may be read. */
    public void acquire(long bytes) throws InterruptedException {
        if (bytesPerSecond == 0 || bytes <= 0) {
            return;
        }
        refill();
        tokens -= bytes;
        if (tokens < 0) {
            // In debt: wait exactly until the rate has paid it off.
            long wait = (long) Math.ceil(-tokens / bytesPerSecond * NANOS_PER_SECOND);
            timer.sleepNanos(wait);
            refill();
        }
    }

    private void refill() {
        long now = timer.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) / NANOS_PER_SECOND * bytesPerSecond);
        last = now;
    }
}
