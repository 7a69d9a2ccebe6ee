package io.stowage.server.e2e;

import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server as a process, under conditions a unit test cannot set: a heap far smaller than the
 * blob it streams, and a SIGTERM while an upload is on the wire.
 */
class StreamingServerE2ETest {
    private static final long LARGE_BLOB = 512L * 1024 * 1024;

    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aBlobEightTimesTheHeapStreamsInAndOutWithoutBuffering() throws Exception {
        try (StowageProcess server = StowageProcess.start(work, List.of("-Xmx64m", "-XX:+ExitOnOutOfMemoryError"))) {
            URI base = server.baseUri();
            String location = startUpload(base, "big/blob");
            GeneratedStream body = new GeneratedStream(LARGE_BLOB, 0);
            HttpResponse<String> patch = http.send(HttpRequest.newBuilder(base.resolve(location))
                    .timeout(Duration.ofMinutes(5))
                    .method("PATCH", HttpRequest.BodyPublishers.fromPublisher(
                            HttpRequest.BodyPublishers.ofInputStream(() -> body), LARGE_BLOB))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, patch.statusCode(), patch.body());
            Digest digest = body.digest();
            String next = patch.headers().firstValue("Location").orElseThrow();
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(base.resolve(next + "?digest=" + digest))
                    .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, put.statusCode(), put.body());

            HttpResponse<InputStream> get = http.send(HttpRequest.newBuilder(base.resolve("/v2/big/blob/blobs/" + digest))
                    .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, get.statusCode());
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long total = 0;
            try (InputStream in = get.body()) {
                byte[] buffer = new byte[1 << 16];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    sha.update(buffer, 0, n);
                    total += n;
                }
            }
            assertEquals(LARGE_BLOB, total);
            assertEquals(digest, Digest.fromBytes(Digest.Algorithm.SHA256, sha.digest()));
            assertEquals(200, http.send(HttpRequest.newBuilder(base.resolve("/v2/")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode(), "server still up after the transfer");
        }
    }

    @Test
    void sigtermLetsAnUploadInFlightFinishThenStops() throws Exception {
        StowageProcess server = StowageProcess.start(work);
        try {
            URI base = server.baseUri();
            String location = startUpload(base, "graceful/stop");
            long size = 32L * 1024 * 1024;
            GeneratedStream slow = new GeneratedStream(size, 2_000);
            CompletableFuture<HttpResponse<String>> patch = http.sendAsync(HttpRequest.newBuilder(base.resolve(location))
                    .timeout(Duration.ofMinutes(2))
                    .method("PATCH", HttpRequest.BodyPublishers.fromPublisher(
                            HttpRequest.BodyPublishers.ofInputStream(() -> slow), size))
                    .build(), HttpResponse.BodyHandlers.ofString());
            Thread.sleep(500);
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::stop);
            HttpResponse<String> answer = patch.get(60, TimeUnit.SECONDS);
            assertEquals(202, answer.statusCode(), answer.body());
            assertEquals("0-" + (size - 1), answer.headers().firstValue("Range").orElseThrow());
            stopping.get(60, TimeUnit.SECONDS);
            String log = server.logTail(50);
            assertTrue(log.contains("registry stopped"), log);
        } finally {
            server.close();
        }
    }

    private String startUpload(URI base, String repository) throws IOException, InterruptedException {
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(base.resolve("/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, post.statusCode(), post.body());
        return post.headers().firstValue("Location").orElseThrow();
    }

    /**
     * Deterministic pseudo-random bytes of a given length, generated as they are read (never held
     * whole), hashed on the way, and optionally spread over {@code spreadMillis} to act as a slow client.
     */
    private static final class GeneratedStream extends InputStream {
        private final long length;
        private final long spreadMillis;
        private final MessageDigest sha;
        private final long started = System.nanoTime();
        private long position;
        private long state = 0x9E3779B97F4A7C15L;

        GeneratedStream(long length, long spreadMillis) throws Exception {
            this.length = length;
            this.spreadMillis = spreadMillis;
            this.sha = MessageDigest.getInstance("SHA-256");
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int len) {
            if (position >= length) {
                return -1;
            }
            pace();
            int n = (int) Math.min(len, length - position);
            for (int i = 0; i < n; i++) {
                state ^= state << 13;
                state ^= state >>> 7;
                state ^= state << 17;
                buffer[offset + i] = (byte) state;
            }
            sha.update(buffer, offset, n);
            position += n;
            return n;
        }

        private void pace() {
            if (spreadMillis <= 0) {
                return;
            }
            long due = (long) (spreadMillis * ((double) position / length));
            long elapsed = (System.nanoTime() - started) / 1_000_000;
            if (due > elapsed) {
                try {
                    Thread.sleep(due - elapsed);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** The digest of everything read; valid once the stream is exhausted. */
        Digest digest() {
            return Digest.fromBytes(Digest.Algorithm.SHA256, sha.digest());
        }
    }
}
