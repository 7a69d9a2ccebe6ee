package io.stowage.server.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The data set of the garbage-collection row for the CNCF reference registry, written straight into
 * its filesystem storage layout (as {@code GcBenchmark} loads ours straight into SQLite and the blob
 * tree): repository {@code bench/app}, MANIFESTS OCI image manifests of BLOBS_PER_MANIFEST distinct
 * 4 KiB blobs each (a config and layers), each manifest under its own tag; every other manifest is
 * left as {@code DELETE /v2/<name>/manifests/<digest>} leaves it (blobs and layer links stay, the
 * revision link and its tag are gone), so {@code docker-registry garbage-collect} sweeps it and its blobs.
 */
final class RefGcData {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    private RefGcData() {
    }

    static void write(Path root, int manifests, int blobsPerManifest) throws Exception {
        Path v2 = root.resolve("docker/registry/v2");
        Path repo = v2.resolve("repositories/bench/app");
        SplittableRandom random = new SplittableRandom(20261126);
        byte[] content = new byte[4096];
        long start = System.nanoTime();
        for (int m = 0; m < manifests; m++) {
            List<String> digests = new ArrayList<>();
            for (int b = 0; b < blobsPerManifest; b++) {
                random.nextBytes(content);
                String hex = writeBlob(v2, content);
                link(repo.resolve("_layers/sha256/" + hex), hex);
                digests.add("sha256:" + hex);
            }
            StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                    + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                    + digests.get(0) + "\",\"size\":4096},\"layers\":[");
            for (int b = 1; b < digests.size(); b++) {
                json.append(b > 1 ? "," : "").append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"")
                        .append(digests.get(b)).append("\",\"size\":4096}");
            }
            json.append("]}");
            String hex = writeBlob(v2, json.toString().getBytes(StandardCharsets.UTF_8));
            if (m % 2 == 0) { // kept; odd ones are deleted
                link(repo.resolve("_manifests/revisions/sha256/" + hex), hex);
                String tag = "m" + m;
                link(repo.resolve("_manifests/tags/" + tag + "/current"), hex);
                link(repo.resolve("_manifests/tags/" + tag + "/index/sha256/" + hex), hex);
            }
        }
        System.out.printf("reference gc data: %d manifests (%d deleted), %d blobs in %.1f s%n", manifests,
                manifests / 2, manifests * blobsPerManifest, (System.nanoTime() - start) / 1e9);
    }

    private static String writeBlob(Path v2, byte[] bytes) throws Exception {
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        Path dir = v2.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex);
        Files.createDirectories(dir);
        Files.write(dir.resolve("data"), bytes);
        return hex;
    }

    private static void link(Path dir, String hex) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("link"), "sha256:" + hex);
    }
}
