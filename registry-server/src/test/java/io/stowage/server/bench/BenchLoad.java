package io.stowage.server.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load client of {@code bench/run.sh} (run from the test classpath, never as a test): drives one
 * running registry, ours or the CNCF reference, the same way, with the JDK's HttpClient over HTTP/1.1.
 * Blob bodies are streamed from files (pushes) or counted and discarded (pulls); no blob is held in
 * the heap. Every mode prints its results as {@code RESULT key value} lines. BASES is one base URL or
 * several separated by commas (replicas behind no balancer: clients take them in turn).
 *
 * <pre>
 * BenchLoad gen      FILE SIZE_MIB SEED               random file (fsynced); digest to FILE.digest
 * BenchLoad push     BASE REPO mono|CHUNK_MIB FILE... one push per file, one after the other
 * BenchLoad pull     BASES REPO DIGEST SIZE CONCURRENCY REPS
 * BenchLoad pushes   BASES REPO CONCURRENCY SIZE_MIB ROUNDS WORK_DIR PID  concurrent pushes + server PID's peak RSS
 * BenchLoad tags     BASE REPO COUNT CONCURRENCY REPS  COUNT tags on one manifest, then timed tags/list
 * BenchLoad startup  URL RUNS SCRIPT                  SCRIPT i execs a server; ms to the first 200 on URL
 * BenchLoad sha256   SIZE_MIB                         single-core SHA-256 rate of the JDK
 * BenchLoad fsync    FILE SIZE_MIB                    sequential write + FileChannel.force rate
 * BenchLoad refgc    ROOT MANIFESTS BLOBS_PER_MANIFEST   reference registry storage with half the manifests deleted
 * </pre>
 */
public final class BenchLoad {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final double MIB = 1 << 20;

    private BenchLoad() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "gen" -> {
                Path file = Path.of(args[1]);
                String digest = AuditLoad.writeRandom(file, Long.parseLong(args[2]) << 20, Long.parseLong(args[3]));
                Files.writeString(Path.of(args[1] + ".digest"), digest);
                System.out.println(digest);
            }
            case "push" -> push(URI.create(args[1]), args[2], args[3],
                    Arrays.stream(args, 4, args.length).map(Path::of).toList());
            case "pull" -> pull(bases(args[1]), args[2], args[3], Long.parseLong(args[4]),
                    Integer.parseInt(args[5]), Integer.parseInt(args[6]));
            case "pushes" -> pushes(bases(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Path.of(args[6]), Long.parseLong(args[7]));
            case "tags" -> tags(URI.create(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]));
            case "startup" -> startup(URI.create(args[1]), Integer.parseInt(args[2]), args[3]);
            case "sha256" -> sha256(Integer.parseInt(args[1]));
            case "fsync" -> fsync(Path.of(args[1]), Integer.parseInt(args[2]));
            case "refgc" -> RefGcData.write(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        System.exit(0); // HttpClient selector threads are not daemon threads on every JDK build
    }

    /**
     * One registry's base URL, or several separated by commas (replicas of one registry): concurrent
     * clients are then spread over them in turn, as a load balancer would.
     */
    private static List<URI> bases(String arg) {
        return Arrays.stream(arg.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(URI::create).toList();
    }

    private static void result(String key, String value) {
        System.out.println("RESULT " + key + " " + value);
    }

    private static String rates(double[] values) {
        StringBuilder s = new StringBuilder();
        for (double v : values) {
            s.append(s.length() == 0 ? "" : ", ").append(String.format("%.0f", v));
        }
        return s.toString();
    }

    // ---- push: one blob at a time, monolithic or in chunks ----

    private static void push(URI base, String repo, String mode, List<Path> files) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(2);
        HttpClient http = AuditLoad.client(executor);
        double[] rates = new double[files.size()];
        try {
            for (int i = 0; i < files.size(); i++) {
                Path file = files.get(i);
                String digest = Files.readString(Path.of(file + ".digest")).trim();
                long size = Files.size(file);
                long start = System.nanoTime();
                if (mode.equals("mono")) {
                    pushMonolithic(http, base, repo, file, digest);
                } else {
                    pushChunked(http, base, repo, file, digest, size, Long.parseLong(mode) << 20);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                rates[i] = size / MIB / seconds;
                System.out.printf("push %s %d: %.0f MiB in %.2f s = %.1f MiB/s%n", mode, i + 1, size / MIB, seconds, rates[i]);
            }
        } finally {
            executor.shutdownNow();
        }
        result("push_mib_s", String.format("%.1f", AuditLoad.median(rates)));
        result("push_reps", rates(rates));
    }

    /**
     * A monolithic push as the OCI spec's "POST then PUT": {@code POST .../blobs/uploads/}, then one
     * {@code PUT <location>?digest=} with the whole body. (The single {@code POST ...?digest=} form is
     * optional in the spec and the reference registry answers it with 202 and an empty session.)
     */
    static void pushMonolithic(HttpClient http, URI base, String repo, HttpRequest.BodyPublisher body, String digest)
            throws Exception {
        HttpResponse<String> started = http.send(HttpRequest.newBuilder(base.resolve("/v2/" + repo + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        expect(started, 202, "upload start");
        URI location = location(base, started);
        String sep = location.getRawQuery() == null ? "?" : "&";
        HttpRequest put = HttpRequest.newBuilder(URI.create(location + sep + "digest=" + digest))
                .header("Content-Type", "application/octet-stream").timeout(Duration.ofMinutes(10))
                .PUT(body).build();
        expect(http.send(put, HttpResponse.BodyHandlers.ofString()), 201, "monolithic PUT");
    }

    /** As above, the body sent from {@code file} with sendfile ({@link FileTransfer}). */
    static void pushMonolithic(HttpClient http, URI base, String repo, Path file, String digest) throws Exception {
        HttpResponse<String> started = http.send(HttpRequest.newBuilder(base.resolve("/v2/" + repo + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        expect(started, 202, "upload start");
        URI location = location(base, started);
        String sep = location.getRawQuery() == null ? "?" : "&";
        FileTransfer.Answer put = FileTransfer.send(URI.create(location + sep + "digest=" + digest), "PUT", file, 0,
                Files.size(file), Map.of("Content-Type", "application/octet-stream"));
        expect(put, 201, "monolithic PUT");
    }

    private static void expect(FileTransfer.Answer answer, int status, String what) {
        if (answer.status() != status) {
            throw new IllegalStateException(what + " answered " + answer.status() + ", expected " + status);
        }
    }

    static String pushSmallBlob(HttpClient http, URI base, String repo, byte[] body) throws Exception {
        String digest = "sha256:" + java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        pushMonolithic(http, base, repo, HttpRequest.BodyPublishers.ofByteArray(body), digest);
        return digest;
    }

    private static void pushChunked(HttpClient http, URI base, String repo, Path file, String digest, long size,
                                    long chunk) throws Exception {
        HttpResponse<String> started = http.send(HttpRequest.newBuilder(base.resolve("/v2/" + repo + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        expect(started, 202, "upload start");
        URI location = location(base, started);
        for (long offset = 0; offset < size; offset += chunk) {
            long length = Math.min(chunk, size - offset);
            long from = offset;
            FileTransfer.Answer response = FileTransfer.send(location, "PATCH", file, from, length, Map.of(
                    "Content-Type", "application/octet-stream", "Content-Range", from + "-" + (from + length - 1)));
            expect(response, 202, "PATCH at " + from);
            String next = response.header("Location");
            location = next.startsWith("http") ? URI.create(next) : base.resolve(next);
        }
        String sep = location.getRawQuery() == null ? "?" : "&";
        HttpRequest put = HttpRequest.newBuilder(URI.create(location + sep + "digest=" + digest))
                .timeout(Duration.ofMinutes(5)).PUT(HttpRequest.BodyPublishers.noBody()).build();
        expect(http.send(put, HttpResponse.BodyHandlers.ofString()), 201, "upload close");
    }

    private static URI location(URI base, HttpResponse<?> response) {
        String location = response.headers().firstValue("Location")
                .orElseThrow(() -> new IllegalStateException("no Location in " + response));
        return base.resolve(location);
    }

    static void expect(HttpResponse<String> response, int status, String what) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(what + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    // ---- pull: CONCURRENCY concurrent GETs of one blob, bodies counted and discarded ----

    private static void pull(List<URI> bases, String repo, String digest, long size, int concurrency, int reps)
            throws Exception {
        ExecutorService pullThreads = Executors.newFixedThreadPool(concurrency);
        double[] rates = new double[reps];
        try {
            for (int rep = -1; rep < reps; rep++) { // rep -1: untimed warm-up, one pull
                int n = rep < 0 ? 1 : concurrency;
                List<CompletableFuture<FileTransfer.Answer>> pulls = new ArrayList<>();
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    URI blob = bases.get(i % bases.size()).resolve("/v2/" + repo + "/blobs/" + digest);
                    pulls.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return FileTransfer.get(blob);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }, pullThreads));
                }
                for (CompletableFuture<FileTransfer.Answer> pull : pulls) {
                    FileTransfer.Answer response = pull.get();
                    if (response.status() != 200 || response.bodyBytes() != size) {
                        throw new IllegalStateException("pull answered " + response.status() + " with "
                                + response.bodyBytes() + " bytes, expected " + size);
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                if (rep >= 0) {
                    rates[rep] = n * (double) size / MIB / seconds;
                    System.out.printf("pull x%d %d: %.0f MiB in %.2f s = %.1f MiB/s%n", n, rep + 1,
                            n * size / MIB, seconds, rates[rep]);
                }
            }
        } finally {
            pullThreads.shutdownNow();
        }
        result("pull_mib_s", String.format("%.1f", AuditLoad.median(rates)));
        result("pull_reps", rates(rates));
    }

    /**
     * Writes {@code concurrency} seeded random files (untimed; the same seeds as AuditLoad's rounds, so
     * every registry gets the same bytes), pushes them all at once and returns the seconds from the first
     * request to the last answer; deletes the files.
     */
    // ---- pushes: CONCURRENCY concurrent monolithic pushes, with the server's peak resident memory ----

    private static void pushes(List<URI> bases, String repo, int concurrency, int sizeMiB, int rounds, Path workDir, long pid)
            throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(4);
        HttpClient http = AuditLoad.client(executor);
        double[] rates = new double[rounds];
        Path status = Path.of("/proc/" + pid + "/status");
        long rssBefore;
        long peak;
        try {
            pushRound(http, bases, repo, concurrency, 1L << 20, workDir.resolve("warm-up"), 0); // untimed
            rssBefore = statusKiB(status, "VmRSS:");
            // Resets VmHWM to the current RSS (Linux >= 4.0; needs the right to write the process's clear_refs).
            boolean hwmReset;
            try {
                Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5");
                hwmReset = true;
            } catch (IOException e) {
                hwmReset = false;
            }
            AtomicLong sampled = new AtomicLong(rssBefore);
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    try {
                        sampled.accumulateAndGet(statusKiB(status, "VmRSS:"), Math::max);
                        Thread.sleep(20);
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            sampler.setDaemon(true);
            sampler.start();
            for (int round = 0; round < rounds; round++) {
                // Seeds as AuditLoad's: every registry gets the same bytes.
                double seconds = pushRound(http, bases, repo, concurrency, (long) sizeMiB << 20,
                        workDir.resolve("round-" + round), round + 1);
                rates[round] = concurrency * (double) sizeMiB / seconds;
                System.out.printf("round %d: %d x %d MiB in %.2f s = %.1f MiB/s%n", round + 1, concurrency, sizeMiB,
                        seconds, rates[round]);
            }
            sampling.set(false);
            sampler.join();
            peak = sampled.get();
            if (hwmReset) {
                peak = Math.max(peak, statusKiB(status, "VmHWM:"));
            }
            System.out.printf("server RSS before %d MiB, peak %d MiB (VmHWM reset: %s)%n", rssBefore >> 10, peak >> 10,
                    hwmReset);
        } finally {
            executor.shutdownNow();
        }
        result("pushes_mib_s", String.format("%.1f", AuditLoad.median(rates)));
        result("pushes_reps", rates(rates));
        result("rss_before_mib", Long.toString(rssBefore >> 10));
        result("rss_peak_mib", Long.toString(peak >> 10));
    }

    /**
     * Writes {@code concurrency} seeded random files (untimed; the same seeds as AuditLoad's rounds, so
     * every registry gets the same bytes), pushes them all at once and returns the seconds from the first
     * request to the last answer; deletes the files.
     */
    private static double pushRound(HttpClient http, List<URI> bases, String repo, int concurrency, long bytesPerBlob,
                                    Path dir, int round) throws Exception {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        List<String> digests = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            Path file = dir.resolve("blob-" + i);
            digests.add(AuditLoad.writeRandom(file, bytesPerBlob, 1_000_003L * (round + 1) + i));
            files.add(file);
        }
        ExecutorService pushers = Executors.newFixedThreadPool(concurrency);
        try {
            List<java.util.concurrent.Future<?>> pushes = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < concurrency; i++) {
                Path file = files.get(i);
                String digest = digests.get(i);
                URI base = bases.get(i % bases.size());
                pushes.add(pushers.submit(() -> {
                    pushMonolithic(http, base, repo, file, digest);
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> push : pushes) {
                push.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            for (Path file : files) {
                Files.delete(file);
            }
            Files.delete(dir);
            return seconds;
        } finally {
            pushers.shutdownNow();
        }
    }

    private static long statusKiB(Path status, String key) throws IOException {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException(key + " not in " + status);
    }

    // ---- tags: one manifest under COUNT tags, then tags/list ----

    private static void tags(URI base, String repo, int count, int concurrency, int reps) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(4);
        ExecutorService workers = Executors.newFixedThreadPool(concurrency);
        HttpClient http = AuditLoad.client(executor);
        try {
            byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                    .getBytes(StandardCharsets.UTF_8);
            byte[] layer = "run.sh tags/list layer\n".getBytes(StandardCharsets.UTF_8);
            String configDigest = pushSmallBlob(http, base, repo, config);
            String layerDigest = pushSmallBlob(http, base, repo, layer);
            byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                    + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                    + configDigest + "\",\"size\":" + config.length + "},"
                    + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\""
                    + layerDigest + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
            long[] latencies = new long[count];
            long start = System.nanoTime();
            AuditLoad.runPuts(http, workers, base, repo, manifest, "t", count, concurrency, latencies);
            double seconds = (System.nanoTime() - start) / 1e9;
            Arrays.sort(latencies);
            System.out.printf("%d tags in %.2f s = %.0f manifest PUTs/s, p50 %.2f ms, p99 %.2f ms%n", count, seconds,
                    count / seconds, latencies[count / 2] / 1e6, latencies[(int) (count * 0.99)] / 1e6);
            result("tag_put_per_s", String.format("%.0f", count / seconds));
            for (String query : List.of("", "?n=" + count)) {
                URI uri = base.resolve("/v2/" + repo + "/tags/list" + query);
                double[] ms = new double[reps];
                int listed = 0;
                for (int rep = -1; rep < reps; rep++) { // rep -1: untimed warm-up
                    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(1)).GET().build();
                    long t0 = System.nanoTime();
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    long elapsed = System.nanoTime() - t0;
                    expect(response, 200, "GET " + uri);
                    listed = response.body().split("\"t[0-9]+\"", -1).length - 1;
                    if (rep >= 0) {
                        ms[rep] = elapsed / 1e6;
                    }
                }
                String key = query.isEmpty() ? "tags_list" : "tags_list_n";
                System.out.printf("GET %s: %d tags listed, median %.1f ms of [%s]%n", uri, listed,
                        AuditLoad.median(ms), rates(ms));
                result(key + "_ms", String.format("%.1f", AuditLoad.median(ms)));
                result(key + "_count", Integer.toString(listed));
            }
        } finally {
            workers.shutdownNow();
            executor.shutdownNow();
        }
    }

    // ---- startup: process start to the first 200 on URL ----

    private static void startup(URI url, int runs, String script) throws Exception {
        double[] ms = new double[runs];
        for (int run = 0; run < runs; run++) {
            long start = System.nanoTime();
            Process process = new ProcessBuilder(script, Integer.toString(run)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                while (true) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(script + " " + run + " exited with " + process.exitValue());
                    }
                    if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(120)) {
                        throw new IllegalStateException(url + " not answering 200 after 120 s");
                    }
                    if (answers200(url)) {
                        break;
                    }
                    Thread.sleep(5);
                }
                ms[run] = (System.nanoTime() - start) / 1e6;
                System.out.printf("start %d: first 200 after %.0f ms%n", run + 1, ms[run]);
            } finally {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
        }
        result("startup_ms", String.format("%.0f", AuditLoad.median(ms)));
        result("startup_reps", rates(ms));
    }

    /**
     * One {@code GET} over a plain socket: a poll that costs next to no CPU while the server starts on
     * the same cores (the JDK HttpClient's failing connects every few ms cost a starting JVM seconds).
     */
    private static boolean answers200(URI url) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(url.getHost(), url.getPort()), 1000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("GET " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getHost() + ":"
                    + url.getPort() + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] head = new byte[12];
            int n = 0;
            while (n < head.length) {
                int r = socket.getInputStream().read(head, n, head.length - n);
                if (r < 0) {
                    return false;
                }
                n += r;
            }
            return new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    // ---- the limits ----

    private static void sha256(int sizeMiB) throws Exception {
        byte[] buffer = new byte[16 << 20];
        new SplittableRandom(42).nextBytes(buffer);
        MessageDigest warm = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < 32; i++) { // 512 MiB warm-up, so the intrinsic is compiled in
            warm.update(buffer);
        }
        double[] rates = new double[3];
        for (int rep = 0; rep < rates.length; rep++) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long start = System.nanoTime();
            for (long done = 0; done < ((long) sizeMiB << 20); done += buffer.length) {
                sha.update(buffer);
            }
            sha.digest();
            rates[rep] = sizeMiB / ((System.nanoTime() - start) / 1e9);
            System.out.printf("sha256 %d: %d MiB at %.0f MiB/s%n", rep + 1, sizeMiB, rates[rep]);
        }
        result("sha256_mib_s", String.format("%.0f", AuditLoad.median(rates)));
    }

    private static void fsync(Path file, int sizeMiB) throws Exception {
        byte[] bytes = new byte[1 << 20];
        new SplittableRandom(7).nextBytes(bytes);
        double[] rates = new double[3];
        for (int rep = 0; rep < rates.length; rep++) {
            long start = System.nanoTime();
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                for (int i = 0; i < sizeMiB; i++) {
                    buffer.clear();
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                }
                channel.force(true);
            }
            rates[rep] = sizeMiB / ((System.nanoTime() - start) / 1e9);
            System.out.printf("write+fsync %d: %d MiB at %.0f MiB/s%n", rep + 1, sizeMiB, rates[rep]);
            Files.delete(file);
        }
        result("fsync_mib_s", String.format("%.0f", AuditLoad.median(rates)));
    }
}
