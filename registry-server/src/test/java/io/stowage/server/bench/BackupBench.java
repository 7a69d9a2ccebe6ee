package io.stowage.server.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The incremental-backup row of the benchmark (issue 7), against a running registry:
 * <pre>
 * BackupBench BASE BACKUP_DIR IMAGES LAYER_MIB
 * </pre>
 * pushes IMAGES images (one distinct random layer of LAYER_MIB each, a config, a manifest, a tag),
 * backs the registry up into BACKUP_DIR through {@code POST /admin/backups} (the first, full
 * backup), pushes 1 % more images, backs up again (the incremental one), then once more with
 * nothing new. Prints {@code RESULT} lines with each run's duration as the server measured it.
 */
public final class BackupBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    private BackupBench() {
    }

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        String backupDir = args[1];
        int images = Integer.parseInt(args[2]);
        int layerMiB = Integer.parseInt(args[3]);
        ExecutorService executor = Executors.newFixedThreadPool(2);
        HttpClient http = AuditLoad.client(executor);
        try {
            pushImages(http, base, 0, images, layerMiB);
            JsonNode full = backup(http, base, backupDir);
            int more = Math.max(1, images / 100);
            pushImages(http, base, images, more, layerMiB);
            JsonNode incremental = backup(http, base, backupDir);
            JsonNode unchanged = backup(http, base, backupDir);
            report("full", full, images);
            report("incremental", incremental, more);
            report("unchanged", unchanged, 0);
        } finally {
            executor.shutdownNow();
        }
        System.exit(0);
    }

    private static void pushImages(HttpClient http, URI base, int first, int count, int layerMiB) throws Exception {
        byte[] layer = new byte[layerMiB << 20];
        for (int i = first; i < first + count; i++) {
            new Random(i).nextBytes(layer);
            String repo = "bench/app" + (i % 10);
            String layerDigest = BenchLoad.pushSmallBlob(http, base, repo, layer);
            byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"image-" + i + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            String configDigest = BenchLoad.pushSmallBlob(http, base, repo, config);
            String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                    + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":"
                    + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                    + "\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length + "}]}";
            HttpRequest put = HttpRequest.newBuilder(base.resolve("/v2/" + repo + "/manifests/v" + i))
                    .header("Content-Type", OCI_MANIFEST).PUT(HttpRequest.BodyPublishers.ofString(manifest)).build();
            BenchLoad.expect(http.send(put, HttpResponse.BodyHandlers.ofString()), 201, "manifest PUT");
        }
    }

    /** One backup run, waited for; its report. */
    private static JsonNode backup(HttpClient http, URI base, String dir) throws Exception {
        HttpRequest start = HttpRequest.newBuilder(base.resolve("/admin/backups"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(java.util.Map.of("to", dir)))).build();
        HttpResponse<String> started = http.send(start, HttpResponse.BodyHandlers.ofString());
        BenchLoad.expect(started, 202, "backup start");
        String id = JSON.readTree(started.body()).path("id").asText();
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> run = http.send(HttpRequest.newBuilder(base.resolve("/admin/backups/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString());
            BenchLoad.expect(run, 200, "backup status");
            JsonNode report = JSON.readTree(run.body());
            if (report.hasNonNull("finishedAt")) {
                if (!"completed".equals(report.path("outcome").asText())) {
                    throw new IllegalStateException("backup " + id + " did not complete: " + run.body());
                }
                return report;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("backup " + id + " still running after 30 minutes");
    }

    private static void report(String name, JsonNode report, int newImages) {
        System.out.println("RESULT " + name + "_ms " + report.path("durationMs").asLong());
        System.out.println("RESULT " + name + "_new_images " + newImages);
        System.out.println("RESULT " + name + "_report " + report);
    }
}
