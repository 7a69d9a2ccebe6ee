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
 * The push side of {@code bench/audit.sh} (run from the test classpath, never as a test), against
 * running registries given as {@code LABEL=BASE_URL} targets (audit on and audit off). Uses only the
 * JDK's HttpClient over HTTP/1.1, so every target is driven by the same client, and interleaves the
 * targets (alternating which goes first) so drift of the machine's disk hits both alike.
 *
 * <pre>
 * AuditLoad blobs     REPO CONCURRENCY SIZE_MIB ROUNDS WORK_DIR TARGET...
 * AuditLoad manifests REPO CONCURRENCY COUNT REPS TARGET...
 * </pre>
 *
 * {@code blobs}: each round writes CONCURRENCY distinct random files of SIZE_MIB (seeded by round
 * and index; written and fsynced untimed), then, per target, times CONCURRENCY concurrent monolithic
 * pushes ({@code POST .../blobs/uploads/?digest=}) streamed from the files: every target gets the
 * same fresh bytes. An untimed round of 1 MiB blobs warms up first. Prints one line per round and
 * target and {@code RESULT LABEL blob_push_mib_s=<median>}.
 *
 * <p>{@code manifests}: pushes a config and a layer blob, warms up with 1,000 manifest PUTs, then, REPS
 * times per target, times COUNT PUTs of the same small OCI manifest under distinct tags from
 * CONCURRENCY threads. Prints {@code RESULT LABEL manifest_put_per_s=<median> p50_ms=... p99_ms=...}
 * (latency percentiles over all timed PUTs of the target).
 */
public final class AuditLoad {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    private AuditLoad() {
    }

    private record Target(String label, URI base) {
        static List<Target> parse(String[] args, int from) {
            List<Target> targets = new ArrayList<>();
            for (int i = from; i < args.length; i++) {
                int eq = args[i].indexOf('=');
                targets.add(new Target(args[i].substring(0, eq), URI.create(args[i].substring(eq + 1))));
            }
            if (targets.isEmpty()) {
                throw new IllegalArgumentException("no LABEL=BASE_URL target");
            }
            return targets;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: AuditLoad blobs|manifests ...");
        }
        switch (args[0]) {
            case "blobs" -> blobs(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Path.of(args[5]), Target.parse(args, 6));
            case "manifests" -> manifests(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Target.parse(args, 5));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    /** The targets in the order of repetition {@code rep}: as given, then reversed, and so on. */
    private static List<Target> order(List<Target> targets, int rep) {
        List<Target> ordered = new ArrayList<>(targets);
        if (rep % 2 == 1) {
            java.util.Collections.reverse(ordered);
        }
        return ordered;
    }

    static HttpClient client(ExecutorService executor) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    // ---- blobs ----

    private static void blobs(String repo, int concurrency, int sizeMiB, int rounds, Path workDir,
                              List<Target> targets) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(4);
        HttpClient http = client(executor);
        long bytesPerBlob = (long) sizeMiB << 20;
        double[][] rates = new double[targets.size()][rounds];
        try {
            pushRound(http, repo, concurrency, 1L << 20, workDir.resolve("warm-up"), 0, targets); // untimed
            for (int round = 0; round < rounds; round++) {
                List<Target> ordered = order(targets, round);
                double[] seconds = pushRound(http, repo, concurrency, bytesPerBlob, workDir.resolve("round-" + round),
                        round + 1, ordered);
                for (int t = 0; t < ordered.size(); t++) {
                    double rate = concurrency * (double) bytesPerBlob / (1 << 20) / seconds[t];
                    rates[targets.indexOf(ordered.get(t))][round] = rate;
                    System.out.printf("round %d %s: %d x %d MiB in %.2f s = %.1f MiB/s%n", round + 1,
                            ordered.get(t).label(), concurrency, sizeMiB, seconds[t], rate);
                }
            }
        } finally {
            executor.shutdownNow();
        }
        for (int t = 0; t < targets.size(); t++) {
            System.out.printf("RESULT %s blob_push_mib_s=%.1f rounds=%s%n", targets.get(t).label(), median(rates[t]),
                    Arrays.toString(rates[t]));
        }
    }

    /**
     * Writes {@code concurrency} random files (untimed), pushes them all at once to each target in
     * turn and returns, per target, the seconds from the first request to the last answer; deletes
     * the files.
     */
    private static double[] pushRound(HttpClient http, String repo, int concurrency, long bytesPerBlob, Path dir,
                                      int round, List<Target> targets) throws Exception {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        List<String> digests = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            Path file = dir.resolve("blob-" + i);
            digests.add(writeRandom(file, bytesPerBlob, 1_000_003L * (round + 1) + i));
            files.add(file);
        }
        double[] seconds = new double[targets.size()];
        for (int t = 0; t < targets.size(); t++) {
            URI base = targets.get(t).base();
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
                    throw new IllegalStateException("blob push " + i + " to " + targets.get(t).label() + " answered "
                            + response.statusCode() + ": " + response.body());
                }
            }
            seconds[t] = (System.nanoTime() - start) / 1e9;
        }
        for (Path file : files) {
            Files.delete(file);
        }
        Files.delete(dir);
        return seconds;
    }

    /** Writes {@code size} seeded random bytes to {@code file}; returns their sha256 digest. */
    static String writeRandom(Path file, long size, long seed) throws Exception {
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

    private static void manifests(String repo, int concurrency, int count, int reps, List<Target> targets)
            throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(4);
        ExecutorService workers = Executors.newFixedThreadPool(concurrency);
        HttpClient http = client(executor);
        try {
            byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                    .getBytes(StandardCharsets.UTF_8);
            byte[] layer = "audit bench manifest-push layer\n".getBytes(StandardCharsets.UTF_8);
            byte[] manifest = null;
            for (Target target : targets) {
                String configDigest = pushSmallBlob(http, target.base(), repo, config);
                String layerDigest = pushSmallBlob(http, target.base(), repo, layer);
                manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                        + configDigest + "\",\"size\":" + config.length + "},"
                        + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\""
                        + layerDigest + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
                runPuts(http, workers, target.base(), repo, manifest, "warm-", 1000, concurrency, new long[1000]);
            }
            double[][] rates = new double[targets.size()][reps];
            long[][] latencies = new long[targets.size()][count * reps];
            for (int rep = 0; rep < reps; rep++) {
                for (Target target : order(targets, rep)) {
                    int t = targets.indexOf(target);
                    long[] repLatencies = new long[count];
                    long start = System.nanoTime();
                    runPuts(http, workers, target.base(), repo, manifest, "r" + rep + "-", count, concurrency,
                            repLatencies);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    rates[t][rep] = count / seconds;
                    System.arraycopy(repLatencies, 0, latencies[t], rep * count, count);
                    System.out.printf("rep %d %s: %d manifest PUTs in %.2f s = %.0f/s%n", rep + 1, target.label(),
                            count, seconds, rates[t][rep]);
                }
            }
            for (int t = 0; t < targets.size(); t++) {
                long[] all = latencies[t];
                Arrays.sort(all);
                System.out.printf("RESULT %s manifest_put_per_s=%.0f p50_ms=%.2f p99_ms=%.2f reps=%s%n",
                        targets.get(t).label(), median(rates[t]), all[all.length / 2] / 1e6,
                        all[(int) (all.length * 0.99)] / 1e6, Arrays.toString(rates[t]));
            }
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

    /** COUNT PUTs of {@code manifest} under tags PREFIX0, PREFIX1, ... from CONCURRENCY workers; records each latency. */
    static void runPuts(HttpClient http, ExecutorService workers, URI base, String repo,
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

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
