package io.stowage.server.http;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded pool where everything that blocks runs: disk, JDBC, hashing. Event loops hand work
 * here and get the result back as a future. When the queue is full a task is refused at once
 * (the request gets 429) rather than queued without bound. Thread-safe.
 */
public final class WorkerPool implements AutoCloseable {
    private final ThreadPoolExecutor executor;

    public WorkerPool(int threads, int queueCapacity) {
        AtomicInteger counter = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "registry-worker-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity), factory, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Runs {@code task} on a worker; a refused task fails the future with RejectedExecutionException. */
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    result.complete(task.call());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        } catch (RuntimeException rejected) {
            result.completeExceptionally(rejected);
        }
        return result;
    }

    /** Runs {@code task} on a worker, ignoring its outcome; for clean-up that must not block an event loop. */
    public void execute(Runnable task) {
        try {
            executor.execute(task);
        } catch (RuntimeException rejected) {
            task.run();
        }
    }

    /** Stops taking work and waits up to {@code grace} for running tasks. */
    public void shutdown(Duration grace) throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        shutdown(Duration.ofSeconds(10));
    }
}
