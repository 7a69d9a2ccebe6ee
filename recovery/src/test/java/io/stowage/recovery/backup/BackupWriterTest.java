package io.stowage.recovery.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stowage.gc.GcFixture;
import io.stowage.gc.GcSettings;
import io.stowage.recovery.jobs.LeaseCheck;
import io.stowage.recovery.layout.OciLayout;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.Reference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One backup run at a time over the real filesystem blob store and SQLite metadata store. */
class BackupWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private GcFixture f;
    private Path target;
    private int runs;

    @BeforeEach
    void open() throws Exception {
        f = new GcFixture(dir.resolve("data"), new GcSettings(Duration.ofHours(24), Duration.ofDays(30), 50));
        target = dir.resolve("backup");
    }

    @AfterEach
    void close() throws Exception {
        f.close();
    }

    @Test
    void firstBackupIsAnOciLayoutWithEveryTagBlobManifestAndJournalEvent() throws Exception {
        byte[] shared = GcFixture.bytes("shared", 5000);
        Digest app = f.pushImage("team/app", "v1", List.of(shared, GcFixture.bytes("app", 3000)));
        f.registry.putManifest("team/app", Reference.ofTag("latest"), io.stowage.storage.oci.MediaTypes.OCI_MANIFEST,
                f.metadata.findManifest("team/app", app).orElseThrow().content(), List.of(), "alice");
        Digest tool = f.pushImage("tools/cli", "1.0", List.of(shared));
        Digest old = f.pushImage("team/app", "old", List.of(GcFixture.bytes("old", 2000)));
        f.registry.deleteManifest("team/app", Reference.ofDigest(old), "bob");

        BackupReport report = backup();

        assertEquals(BackupReport.COMPLETED, report.outcome(), () -> report.problems().toString());
        assertEquals("{\"imageLayoutVersion\":\"1.0.0\"}", Files.readString(target.resolve(OciLayout.LAYOUT_FILE)));
        JsonNode index = JSON.readTree(target.resolve(OciLayout.INDEX_FILE).toFile());
        assertEquals(2, index.path("schemaVersion").asInt());
        Map<String, String> refs = new HashMap<>();
        for (JsonNode descriptor : index.path("manifests")) {
            String ref = descriptor.path("annotations").path(OciLayout.REF_NAME_ANNOTATION).asText(null);
            if (ref != null) {
                refs.put(ref, descriptor.path("digest").asText());
            }
        }
        assertEquals(Map.of("team/app:v1", app.toString(), "team/app:latest", app.toString(),
                "tools/cli:1.0", tool.toString()), refs);
        JsonNode deleted = descriptorOf(index, old);
        assertEquals("team/app", deleted.path("annotations").path(OciLayout.REPOSITORY_ANNOTATION).asText());
        assertTrue(deleted.path("annotations").has(io.stowage.recovery.layout.OciLayout.DELETED_ANNOTATION), "soft-deleted, and so marked");
        assertFalse(deleted.path("annotations").has(OciLayout.REF_NAME_ANNOTATION));
        assertEquals(3, report.tags());
        assertEquals(1, report.deleted());

        // Every blob file is named by the digest of its bytes; 3 manifests, 3 configs, 3 distinct layers.
        List<Path> files = blobFiles();
        assertEquals(9, files.size());
        for (Path file : files) {
            assertEquals(file.getFileName().toString(), Digest.sha256(Files.readAllBytes(file)).hex());
        }
        assertEquals(new BackupReport.Count(3, 0), report.manifests());
        assertEquals(new BackupReport.Count(6, 0), report.blobs(), "the shared layer is copied and counted once");
        assertArrayEquals(f.metadata.findManifestContent("team/app", old).orElseThrow().content(),
                Files.readAllBytes(OciLayout.blobPath(target, old)));

        List<JsonNode> journal = journal();
        assertEquals(journal.size(), report.journalEvents());
        assertEquals(List.of("pushed", "pushed", "pushed", "pushed", "deleted"),
                journal.stream().map(e -> e.path("type").asText()).toList());
        JsonNode last = journal.get(4);
        assertEquals("team/app", last.path("repository").asText());
        assertEquals("old", last.path("tag").asText());
        assertEquals(old.toString(), last.path("digest").asText());
        assertEquals("bob", last.path("actor").asText());
        assertTrue(last.path("previousDigest").isNull());
        assertEquals("2026-01-01T00:00:00.000Z", last.path("at").asText());

        BackupState state = BackupState.read(target.resolve(BackupTarget.STATE));
        assertEquals(f.metadata.registryId(), state.registryId());
        assertEquals(f.metadata.changePosition(), state.position());
        assertEquals(Files.size(target.resolve("stowage/journal.jsonl")), state.journalBytes());
        assertEquals(List.of(), state.pending());
        assertEquals(List.of(), listing(target.resolve(BackupTarget.TMP)), "no temp file is left");
    }

    @Test
    void aSecondRunCopiesOnlyWhatIsNewAndAThirdWithoutChangesWritesNothing() throws Exception {
        byte[] base = GcFixture.bytes("base", 8000);
        f.pushImage("team/app", "v1", List.of(base));
        BackupReport first = backup();
        List<Path> before = blobFiles();
        long journalBefore = Files.size(target.resolve("stowage/journal.jsonl"));

        byte[] fresh = GcFixture.bytes("fresh", 4000);
        Digest v2 = f.pushImage("team/app", "v2", List.of(base, fresh));
        BackupReport second = backup();

        assertEquals(BackupReport.COMPLETED, second.outcome());
        assertFalse(second.unchanged());
        assertEquals(new BackupReport.Count(1, 0), second.manifests());
        assertEquals(new BackupReport.Count(2, 1), second.blobs(), "the new config and layer; the base layer is there");
        List<Path> after = blobFiles();
        List<Path> added = new ArrayList<>(after);
        added.removeAll(before);
        Set<String> expected = new TreeSet<>(List.of(v2.hex(), Digest.sha256(fresh).hex(),
                Digest.sha256("{\"layers\":2,\"tag\":\"v2\"}".getBytes(StandardCharsets.UTF_8)).hex()));
        assertEquals(expected, new TreeSet<>(added.stream().map(p -> p.getFileName().toString()).toList()));
        assertEquals(second.bytesWritten(), added.stream().mapToLong(BackupWriterTest::size).sum());
        assertEquals(1, second.journalEvents());
        assertEquals(2, second.tags());
        assertEquals(1, journal().stream().filter(e -> e.path("tag").asText().equals("v2")).count());
        assertTrue(Files.size(target.resolve("stowage/journal.jsonl")) > journalBefore);

        byte[] indexBytes = Files.readAllBytes(target.resolve(OciLayout.INDEX_FILE));
        BackupReport third = backup();
        assertEquals(BackupReport.COMPLETED, third.outcome());
        assertTrue(third.unchanged());
        assertEquals(new BackupReport.Count(0, 0), third.blobs());
        assertEquals(new BackupReport.Count(0, 0), third.manifests());
        assertEquals(0, third.bytesWritten());
        assertFalse(third.indexWritten());
        assertArrayEquals(indexBytes, Files.readAllBytes(target.resolve(OciLayout.INDEX_FILE)));
        assertEquals(after, blobFiles());
        assertTrue(first.durationMs() >= 0 && third.durationMs() >= 0);
    }

    @Test
    void aTagChangeAloneRewritesTheIndexAndAppendsTheJournalWithoutCopying() throws Exception {
        f.pushImage("team/app", "v1", List.of(GcFixture.bytes("a", 1000)));
        backup();
        f.registry.deleteManifest("team/app", Reference.ofTag("v1"), "carol");

        BackupReport report = backup();

        assertEquals(new BackupReport.Count(0, 0), report.blobs());
        assertEquals(new BackupReport.Count(0, 0), report.manifests());
        assertEquals(1, report.journalEvents());
        assertEquals(0, report.tags());
        assertEquals(1, report.untagged(), "the manifest stays in the registry, untagged, and so in the backup");
        assertEquals("deleted", journal().get(1).path("type").asText());
    }

    @Test
    void aCorruptSourceBlobIsReportedNeverWrittenAndCopiedOnceRepaired() throws Exception {
        byte[] layer = GcFixture.bytes("layer", 6000);
        Digest manifest = f.pushImage("team/app", "v1", List.of(layer));
        Path stored = storedBlob(Digest.sha256(layer));
        byte[] damaged = layer.clone();
        damaged[100] ^= 1;
        overwrite(stored, damaged);

        BackupReport report = backup();

        assertEquals(BackupReport.FAILED, report.outcome());
        assertEquals(1, report.problems().size());
        BackupReport.Problem problem = report.problems().get(0);
        assertEquals("blob-corrupt", problem.kind());
        assertEquals(Digest.sha256(layer).toString(), problem.digest());
        assertEquals("team/app", problem.repository());
        assertFalse(Files.exists(OciLayout.blobPath(target, Digest.sha256(layer))), "never written under its digest");
        assertTrue(Files.exists(OciLayout.blobPath(target, manifest)), "the rest is copied");
        assertEquals(List.of(new BackupState.Pending("team/app", manifest.toString())),
                BackupState.read(target.resolve(BackupTarget.STATE)).pending());
        assertEquals(List.of(), listing(target.resolve(BackupTarget.TMP)));

        overwrite(stored, layer); // repaired, e.g. re-imported
        BackupReport retried = backup();
        assertEquals(BackupReport.COMPLETED, retried.outcome(), () -> retried.problems().toString());
        assertEquals(new BackupReport.Count(1, 1), retried.blobs(), "the layer now, the config was there");
        assertArrayEquals(layer, Files.readAllBytes(OciLayout.blobPath(target, Digest.sha256(layer))));
        assertEquals(List.of(), BackupState.read(target.resolve(BackupTarget.STATE)).pending());
    }

    @Test
    void aBlobThatVanishedIsAProblemNotACrash() throws Exception {
        byte[] layer = GcFixture.bytes("gone", 3000);
        f.pushImage("team/app", "v1", List.of(layer));
        Files.delete(storedBlob(Digest.sha256(layer)));

        BackupReport report = backup();

        assertEquals(BackupReport.FAILED, report.outcome());
        assertEquals("blob-missing", report.problems().get(0).kind());
        assertTrue(report.indexWritten(), "the run still finished: index, journal and state are written");
        assertEquals(1, report.tags());
    }

    @Test
    void sweptManifestsLeaveTheIndexButTheirContentStaysInTheBackup() throws Exception {
        byte[] own = GcFixture.bytes("own", 3000);
        Digest v1 = f.pushImage("app", "v1", List.of(own));
        f.pushImage("app", "v2", List.of(GcFixture.bytes("keep", 3000)));
        f.registry.deleteManifest("app", Reference.ofDigest(v1), "alice");
        backup();
        assertTrue(index().toString().contains(v1.toString()));

        f.clock.advance(Duration.ofDays(31));
        f.gc.start(false).completion().get(60, TimeUnit.SECONDS);
        assertFalse(f.stored(Digest.sha256(own)), "collected in the registry");

        BackupReport report = backup();
        assertFalse(report.unchanged(), "a sweep is a change");
        assertFalse(index().toString().contains(v1.toString()), "a tombstone is not described");
        assertTrue(Files.exists(OciLayout.blobPath(target, Digest.sha256(own))), "the backup keeps what it had");
        assertTrue(Files.exists(OciLayout.blobPath(target, v1)));
    }

    @Test
    void aRunThatStoppedBeforeItsStateLeavesNoDuplicateJournalLines() throws Exception {
        f.pushImage("team/app", "v1", List.of(GcFixture.bytes("a", 1000)));
        backup();
        // As if a run appended these and died before writing its state.
        Files.writeString(target.resolve("stowage/journal.jsonl"), "{\"id\":2,\"half\":", java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(target.resolve(BackupTarget.TMP).resolve("left-over.tmp"), "x");
        f.pushImage("team/app", "v2", List.of(GcFixture.bytes("b", 1000)));

        backup();

        List<JsonNode> journal = journal();
        assertEquals(List.of(1L, 2L), journal.stream().map(e -> e.path("id").asLong()).toList());
        assertEquals(List.of(), listing(target.resolve(BackupTarget.TMP)));
    }

    @Test
    void unusableDirectoriesAreRefusedAndNothingIsWritten() throws Exception {
        String id = f.metadata.registryId();
        assertInvalid("relative/dir", id);
        assertInvalid("", id);
        assertInvalid(null, id);
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertInvalid(file.toString(), id);
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("notes.txt"), "mine");
        assertInvalid(other.toString(), id);
        Path foreignLayout = Files.createDirectories(dir.resolve("skopeo-layout"));
        Files.writeString(foreignLayout.resolve(OciLayout.LAYOUT_FILE), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(foreignLayout.resolve(OciLayout.INDEX_FILE), "{\"schemaVersion\":2,\"manifests\":[]}");
        assertInvalid(foreignLayout.toString(), id);
        assertEquals(List.of(foreignLayout.resolve(OciLayout.INDEX_FILE), foreignLayout.resolve(OciLayout.LAYOUT_FILE)),
                listing(foreignLayout), "nothing written");

        f.pushImage("app", "v1", List.of(GcFixture.bytes("x", 100)));
        backup();
        RegistryException another = assertThrows(RegistryException.class,
                () -> BackupTarget.check(target.toString(), "another-registry"));
        assertEquals(ErrorCode.BACKUP_TARGET_INVALID, another.code());
        assertTrue(another.getMessage().contains("another registry"), another.getMessage());
        assertEquals(target, BackupTarget.check(target + "/../backup", id), "normalized");
        assertEquals(dir.resolve("new/deeper"), BackupTarget.check(dir.resolve("new/deeper").toString(), id));
        assertFalse(Files.exists(dir.resolve("new")), "checking creates nothing");
    }

    private void assertInvalid(String to, String registryId) {
        RegistryException e = assertThrows(RegistryException.class, () -> BackupTarget.check(to, registryId));
        assertEquals(ErrorCode.BACKUP_TARGET_INVALID, e.code());
        assertEquals(400, e.httpStatus());
    }

    // ---- helpers ------------------------------------------------------------------------------

    private BackupReport backup() throws IOException {
        BackupProgress progress = new BackupProgress("run-" + (++runs), target.toString(), "test", Instant.now());
        new BackupWriter(f.metadata, f.blobs, f.clock).write(target, progress, LeaseCheck.NONE);
        progress.finish(progress.hasProblems() ? BackupReport.FAILED : BackupReport.COMPLETED, null, Instant.now());
        return progress.report();
    }

    private JsonNode index() throws IOException {
        return JSON.readTree(target.resolve(OciLayout.INDEX_FILE).toFile());
    }

    private static JsonNode descriptorOf(JsonNode index, Digest digest) {
        for (JsonNode descriptor : index.path("manifests")) {
            if (descriptor.path("digest").asText().equals(digest.toString())) {
                return descriptor;
            }
        }
        throw new AssertionError(digest + " not in index.json");
    }

    private List<JsonNode> journal() throws IOException {
        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(target.resolve("stowage/journal.jsonl"))) {
            events.add(JSON.readTree(line));
        }
        return events;
    }

    private List<Path> blobFiles() throws IOException {
        try (Stream<Path> files = Files.walk(target.resolve(OciLayout.BLOBS_DIR))) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static List<Path> listing(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.sorted().toList();
        }
    }

    private Path storedBlob(Digest digest) {
        return dir.resolve("data/blobs").resolve(digest.algorithm().prefix()).resolve(digest.hex().substring(0, 2))
                .resolve(digest.hex());
    }

    private static void overwrite(Path file, byte[] content) throws IOException {
        Files.delete(file);
        Files.write(file, content);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
