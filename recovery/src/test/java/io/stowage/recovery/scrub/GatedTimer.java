package io.stowage.recovery.scrub;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Real time whose first pacing sleep waits until the test opens the gate: a run held mid-blob. */
final class GatedTimer implements BytePacer.Timer {
    private final CountDownLatch sleeping = new CountDownLatch(1);
    private final CountDownLatch gate = new CountDownLatch(1);

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void sleepNanos(long nanos) throws InterruptedException {
        sleeping.countDown();
        gate.await();
    }

    /** Waits until a run is held at the gate. */
    boolean awaitHeld() throws InterruptedException {
        return sleeping.await(30, TimeUnit.SECONDS);
    }

    void open() {
        gate.countDown();
    }
}
