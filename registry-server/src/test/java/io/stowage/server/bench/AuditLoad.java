package io.stowage.server.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The push side of {@code bench/audit.sh} (run from the test classpath, never as a test), against a
 * running registry. Uses only the JDK's HttpClient over HTTP/1.1, so audit on and audit off are
 * driven by the same client.
 *
 * <pre>
 * AuditLoad blobs     BASE_URL REPO CONCURRENCY SIZE_MIB ROUNDS WORK_DIR
 * AuditLoad manifests BASE_URL REPO CONCURRENCY COUNT
 * </pre>
 *
 * {@code blobs}: each round writes CONCURRENCY distinct random files of SIZE_MIB (seeded by round
 * and index, so both runs push the same bytes; written and fsynced untimed), then times CONCURRENCY
 * concurrent monolithic pushes ({@code POST .../blobs/uploads/?digest=}) streamed from the files.
 * An untimed round of 1 MiB blobs warms up first. Prints one line per round and
 * {@code RESULT blob_push_mib_s=<median>}.
 *
 * <p>{@code manifests}: pushes a config and a layer blob, warms up with 200 manifest PUTs, then
 * times COUNT PUTs of the same small OCI manifest under distinct tags from CONCURRENCY threads.
 * Prints {@code RESULT manifest_put_per_s=... p50_ms=... p99_ms=...}.
 */
public final class AuditLoad {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    private AuditLoad() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: AuditLoad blobs|manifests ...");
        }
        switch (args[0]) {
            case "blobs" -> blobs(URI.create(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Path.of(args[6]));
            case "manifests" -> manifests(URI.create(args[1]), args[2], Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static HttpClient client(ExecutorService executor) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    // ---- blobs ----

    private static void blobs(URI base, String repo, int concurrency, int sizeMiB, int rounds, Path workDir)
            throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(4);
        HttpClient http = client(executor);
        long bytesPerBlob = (long) sizeMiB << 20;
        double[] rates = new double[rounds];
        try {
            pushRound(http, base, repo, concurrency, 1L << 20, workDir.resolve("warm-up"), 0); // untimed
            for (int round = 0; round < rounds; round++) {
                double seconds = pushRound(http, base, repo, concurrency, bytesPerBlob,
                        workDir.resolve("round-" + round), round + 1);
                rates[round] = concurrency * (double) bytesPerBlob / (1 << 20) / seconds;
                System.out.printf("round %d: %d x %d MiB in %.2f s = %.1f MiB/s%n", round + 1, concurrency, sizeMiB,
                        seconds, rates[round]);
            }
        } finally {
            executor.shutdownNow();
        }
        System.out.printf("RESULT blob_push_mib_s=%.1f rounds=%s%n", median(rates), Arrays.toString(rates));
    }

    /**
     * Writes {@code concurrency} random files (untimed), pushes them all at once and returns the
     * seconds from the first request to the last answer; deletes the files.
     */
    private static double pushRound(HttpClient http, URI base, String repo, int concurrency, long bytesPerBlob,
                                    Path dir, int round) throws Exception {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        List<String> digests = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            Path file = dir.resolve("blob-" + i);
            digests.add(writeRandom(file, bytesPerBlob, 1_000_003L * (round + 1) + i));
            files.add(file);
        }
        List<CompletableFuture<HttpResponse<String>>> pushes = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < concurrency; i++) {
            HttpRequest request = HttpRequest.newBuilder(
                            base.resolve("/v2/" + repo + "/blobs/uploads/?digest=" + digests.get(i)))
                    .header("Content-Type", "application/octet-stream")
                    .timeout(Duration.ofMinutes(5))
                    .POST(HttpRequest.BodyPublishers.ofFile(files.get(i)))
                    .build();
            pushes.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < concurrency; i++) {
            HttpResponse<String> response = pushes.get(i).get();
            if (response.statusCode() != 201) {
                throw new IllegalStateException("blob push " + i + " answered " + response.statusCode()
                        + ": " + response.body());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        for (Path file : files) {
            Files.delete(file);
        }
        Files.delete(dir);
        return seconds;
    }

    /** Writes {@code size} seeded random bytes to {@code file}; returns their sha256 digest. */
    private static String writeRandom(Path file, long size, long seed) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(seed);
        byte[] buffer = new byte[1 << 20];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING); OutputStream out = Channels.newOutputStream(channel)) {
            for (long written = 0; written < size; written += buffer.length) {
                for (int j = 0; j < buffer.length; j += 8) {
                    long v = random.nextLong();
                    for (int k = 0; k < 8; k++) {
                        buffer[j + k] = (byte) (v >>> (k * 8));
                    }
                }
                int n = (int) Math.min(buffer.length, size - written);
                out.write(buffer, 0, n);
                sha.update(buffer, 0, n);
            }
            channel.force(true); // so the timed pushes do not compete with the write-back of their own source
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    // ---- manifests ----

    private static void manifests(URI base, String repo, int concurrency, int count) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(4);
        ExecutorService workers = Executors.newFixedThreadPool(concurrency);
        HttpClient http = client(executor);
        try {
            byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                    .getBytes(StandardCharsets.UTF_8);
            byte[] layer = "audit bench manifest-push layer\n".getBytes(StandardCharsets.UTF_8);
            String configDigest = pushSmallBlob(http, base, repo, config);
            String layerDigest = pushSmallBlob(http, base, repo, layer);
            byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                    + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                    + configDigest + "\",\"size\":" + config.length + "},"
                    + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\""
                    + layerDigest + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);

            runPuts(http, workers, base, repo, manifest, "warm-", 200, concurrency);
            long[] latencies = new long[count];
            long start = System.nanoTime();
            runPutsTimed(http, workers, base, repo, manifest, "t", count, concurrency, latencies);
            double seconds = (System.nanoTime() - start) / 1e9;
            Arrays.sort(latencies);
            System.out.printf("RESULT manifest_put_per_s=%.0f p50_ms=%.2f p99_ms=%.2f count=%d seconds=%.2f%n",
                    count / seconds, latencies[count / 2] / 1e6, latencies[(int) (count * 0.99)] / 1e6, count, seconds);
        } finally {
            workers.shutdownNow();
            executor.shutdownNow();
        }
    }

    private static String pushSmallBlob(HttpClient http, URI base, String repo, byte[] body) throws Exception {
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/v2/" + repo + "/blobs/uploads/?digest=" + digest))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("blob push answered " + response.statusCode() + ": " + response.body());
        }
        return digest;
    }

    private static void runPuts(HttpClient http, ExecutorService workers, URI base, String repo, byte[] manifest,
                                String prefix, int count, int concurrency) throws Exception {
        runPutsTimed(http, workers, base, repo, manifest, prefix, count, concurrency, new long[count]);
    }

    private static void runPutsTimed(HttpClient http, ExecutorService workers, URI base, String repo,
                                     byte[] manifest, String prefix, int count, int concurrency, long[] latencies)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            done.add(workers.submit(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    HttpRequest request = HttpRequest.newBuilder(base.resolve("/v2/" + repo + "/manifests/" + prefix + i))
                            .header("Content-Type", OCI_MANIFEST)
                            .timeout(Duration.ofSeconds(60))
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build();
                    long t0 = System.nanoTime();
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    latencies[i] = System.nanoTime() - t0;
                    if (response.statusCode() != 201) {
                        throw new IOException("manifest PUT " + prefix + i + " answered " + response.statusCode()
                                + ": " + response.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
