package io.stowage.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WorkerPoolTest {

    @Test
    void aFullPoolRefusesAtOnceAndTheClientGets429WithRetryAfter() throws Exception {
        WorkerPool pool = new WorkerPool(1, 1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            CompletableFuture<Object> running = pool.submit(() -> release.await(10, TimeUnit.SECONDS));
            CompletableFuture<Object> queued = pool.submit(() -> "queued");
            CompletableFuture<Object> refused = pool.submit(() -> "refused");
            ExecutionException failure = assertThrows(ExecutionException.class, () -> refused.get(1, TimeUnit.SECONDS));

            Response response = ErrorResponses.from(failure.getCause(), null);
            assertEquals(429, response.statusCode());
            assertEquals("1", response.headers().get("Retry-After"));
            byte[] body = ((Response.Body.Bytes) response.body()).content();
            assertEquals("TOOMANYREQUESTS", new ObjectMapper().readTree(body).path("errors").path(0).path("code").asText());

            release.countDown();
            assertEquals(true, running.get(5, TimeUnit.SECONDS));
            assertEquals("queued", queued.get(5, TimeUnit.SECONDS));
        } finally {
            release.countDown();
            pool.shutdown(Duration.ofSeconds(5));
        }
    }
}
