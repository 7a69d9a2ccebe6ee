package io.stowage.recovery.scrub;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The token bucket, with a timer that moves only when the pacer sleeps. */
class BytePacerTest {
    private static final long MIB = 1 << 20;

    @Test
    void readingTenSecondsWorthTakesTenSecondsLessTheBurst() throws Exception {
        FakeTimer timer = new FakeTimer();
        BytePacer pacer = new BytePacer(MIB, timer);
        for (int i = 0; i < 10; i++) {
            pacer.acquire(MIB);
        }
        // A tenth of a second's worth may go at once; the rest is paced at exactly the rate.
        assertEquals(9_900_000_000L, timer.slept, 1_000_000L);
    }

    @Test
    void aLongPauseDoesNotBuyMoreThanTheBurst() throws Exception {
        FakeTimer timer = new FakeTimer();
        BytePacer pacer = new BytePacer(10 * MIB, timer);
        timer.now += 3_600_000_000_000L; // an hour idle (between blobs, say)
        pacer.acquire(MIB);
        assertEquals(0, timer.slept, "the burst covers one MiB");
        pacer.acquire(5 * MIB);
        assertEquals(500_000_000L, timer.slept, 1_000_000L, "and no more: the idle hour saved nothing up");
    }

    @Test
    void zeroMeansNoLimitAndANegativeRateIsRefused() throws Exception {
        FakeTimer timer = new FakeTimer();
        BytePacer unlimited = new BytePacer(0, timer);
        for (int i = 0; i < 100; i++) {
            unlimited.acquire(1L << 30);
        }
        assertEquals(0, timer.slept);
        assertThrows(IllegalArgumentException.class, () -> new BytePacer(-1, timer));
    }

    @Test
    void smallReadsAddUpToTheSameRate() throws Exception {
        FakeTimer timer = new FakeTimer();
        BytePacer pacer = new BytePacer(1000, timer);
        for (int i = 0; i < 10_000; i++) {
            pacer.acquire(1);
        }
        assertTrue(timer.slept >= 9_800_000_000L && timer.slept <= 9_950_000_000L, "slept " + timer.slept);
    }
}
