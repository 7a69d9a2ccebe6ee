package io.stowage.gc;

import io.stowage.storage.meta.GcRunRecord;
import io.stowage.storage.oci.Digest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The garbage-collection row of the benchmark (run by {@code bench/gc.sh}, never as a test):
 * 10,000 manifests and 50,000 blobs in the embedded stores, half the tags deleted and past
 * retention, then one online collection, timed. The data set is loaded straight into SQLite and the
 * blob tree, because pushing it through the API would time the pushes, not the collector.
 */
public final class GcBenchmark {
    private static final int MANIFESTS = 10_000;
    private static final int BLOBS_PER_MANIFEST = 5;

    private GcBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("stowage-gc-bench-");
        try {
            long loadStart = System.nanoTime();
            try (GcFixture f = new GcFixture(dir, new GcSettings(Duration.ZERO, Duration.ZERO, 500))) {
                load(dir, f);
            }
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            try (GcFixture f = new GcFixture(dir, new GcSettings(Duration.ZERO, Duration.ZERO, 500))) {
                f.clock.advance(Duration.ofDays(1));
                long start = System.nanoTime();
                GcRunRecord run = f.gc.start(false).completion().get(30, TimeUnit.MINUTES);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("| gc: %d manifests, %d blobs, half deleted (online) | %.1f s | swept %d manifests, %d blobs, %d MiB | outcome %s | load %.1f s |%n",
                        MANIFESTS, MANIFESTS * BLOBS_PER_MANIFEST, seconds, run.sweptManifests(), run.sweptBlobs(),
                        run.sweptBytes() >> 20, run.outcome(), loadSeconds);
            }
        } finally {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Writes blobs (4 KiB each) and rows for MANIFESTS tagged images of BLOBS_PER_MANIFEST blobs; deletes every other tag. */
    private static void load(Path dir, GcFixture f) throws Exception {
        f.pushBlob("bench/app", "seed".getBytes(StandardCharsets.UTF_8)); // creates the repository row
        long now = f.clock.millis();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("registry.db"))) {
            c.setAutoCommit(false);
            long repositoryId;
            try (var s = c.createStatement(); var rows = s.executeQuery("SELECT id FROM repositories WHERE name = 'bench/app'")) {
                rows.next();
                repositoryId = rows.getLong(1);
            }
            try (PreparedStatement blob = c.prepareStatement("INSERT INTO blobs (digest, size, created_at, held_at) VALUES (?, 4096, ?, ?)");
                 PreparedStatement link = c.prepareStatement("INSERT INTO repository_blobs (repository_id, digest, linked_at) VALUES (?, ?, ?)");
                 PreparedStatement manifest = c.prepareStatement("INSERT INTO manifests (repository_id, digest, media_type, content, size, pushed_at)"
                         + " VALUES (?, ?, 'application/vnd.oci.image.manifest.v1+json', ?, ?, ?)");
                 PreparedStatement reference = c.prepareStatement("INSERT INTO manifest_references (repository_id, manifest_digest,"
                         + " referenced_digest, kind) VALUES (?, ?, ?, 'blob')");
                 PreparedStatement tag = c.prepareStatement("INSERT INTO tags (repository_id, name, manifest_digest, updated_at) VALUES (?, ?, ?, ?)");
                 PreparedStatement event = c.prepareStatement("INSERT INTO tag_events (repository_id, tag, event_type, digest, at, actor)"
                         + " VALUES (?, ?, ?, ?, ?, 'bench')");
                 PreparedStatement deleted = c.prepareStatement("UPDATE manifests SET deleted_at = ? WHERE repository_id = ? AND digest = ?")) {
                byte[] content = new byte[4096];
                for (int m = 0; m < MANIFESTS; m++) {
                    byte[] manifestBytes = ("{\"bench\":" + m + "}").getBytes(StandardCharsets.UTF_8);
                    String manifestDigest = Digest.sha256(manifestBytes).toString();
                    manifest.setLong(1, repositoryId);
                    manifest.setString(2, manifestDigest);
                    manifest.setBytes(3, manifestBytes);
                    manifest.setLong(4, manifestBytes.length);
                    manifest.setLong(5, now - 1);
                    manifest.addBatch();
                    for (int b = 0; b < BLOBS_PER_MANIFEST; b++) {
                        content[0] = (byte) b;
                        content[1] = (byte) (m >> 8);
                        content[2] = (byte) m;
                        content[3] = (byte) (m >> 16);
                        Digest digest = Digest.sha256(content);
                        Path file = dir.resolve("blobs/sha256").resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
                        Files.createDirectories(file.getParent());
                        Files.write(file, content);
                        blob.setString(1, digest.toString());
                        blob.setLong(2, now - 1);
                        blob.setLong(3, now - 1);
                        blob.addBatch();
                        link.setLong(1, repositoryId);
                        link.setString(2, digest.toString());
                        link.setLong(3, now - 1);
                        link.addBatch();
                        reference.setLong(1, repositoryId);
                        reference.setString(2, manifestDigest);
                        reference.setString(3, digest.toString());
                        reference.addBatch();
                    }
                    String name = "t" + m;
                    event.setLong(1, repositoryId);
                    event.setString(2, name);
                    event.setString(3, "pushed");
                    event.setString(4, manifestDigest);
                    event.setLong(5, now - 1);
                    event.addBatch();
                    if (m % 2 == 0) {
                        tag.setLong(1, repositoryId);
                        tag.setString(2, name);
                        tag.setString(3, manifestDigest);
                        tag.setLong(4, now - 1);
                        tag.addBatch();
                    } else {
                        event.setString(3, "deleted");
                        event.addBatch();
                        deleted.setLong(1, now - 1);
                        deleted.setLong(2, repositoryId);
                        deleted.setString(3, manifestDigest);
                        deleted.addBatch();
                    }
                }
                manifest.executeBatch();
                blob.executeBatch();
                link.executeBatch();
                reference.executeBatch();
                tag.executeBatch();
                event.executeBatch();
                deleted.executeBatch();
            }
            c.commit();
        }
    }
}
