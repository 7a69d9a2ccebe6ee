package io.stowage.recovery.scrub;

import io.stowage.audit.AuditEntry;
import io.stowage.gc.GcFixture;
import io.stowage.gc.GcSettings;
import io.stowage.recovery.reimport.TestLayout;
import io.stowage.storage.blob.BlobContent;
import io.stowage.storage.blob.DigestLocks;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.Reference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The integrity scrub over the real embedded stores (filesystem blobs, SQLite) in a temporary
 * directory: a byte flipped on disk is found, quarantined (moved, not deleted), no longer served, and
 * repaired byte for byte from a backup layout; missing content is reported per repository and tag
 * up through an index; a dry run changes nothing; a log that cannot be written quarantines nothing;
 * the blob reads are paced.
 */
class ScrubberTest {
    private static final GcSettings SETTINGS = new GcSettings(Duration.ofHours(24), Duration.ofDays(30), 50);

    @TempDir
    Path dir;
    private GcFixture f;
    private TestLayout backup;
    private final RecordingAudit audit = new RecordingAudit();
    private final FakeTimer timer = new FakeTimer();
    private Scrubber scrubber;

    @BeforeEach
    void open() throws Exception {
        f = new GcFixture(dir.resolve("registry"), SETTINGS);
        backup = new TestLayout(dir.resolve("backup"));
        scrubber = new Scrubber(f.registry, f.metadata, f.blobs, DigestLocks.inProcess(), audit, f.clock, timer);
    }

    @AfterEach
    void close() throws Exception {
        f.close();
    }

    private TestLayout.Image pushed(String repository, String tag, String seed, int... layerSizes) throws Exception {
        List<byte[]> layers = new java.util.ArrayList<>();
        for (int i = 0; i < layerSizes.length; i++) {
            layers.add(GcFixture.bytes(seed + i, layerSizes[i]));
        }
        TestLayout.Image image = backup.image(seed, layers);
        backup.name(image, tag);
        TestLayout.push(f, repository, tag, image);
        return image;
    }

    private Path blobFile(Digest digest) {
        return dir.resolve("registry/blobs/sha256").resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
    }

    private byte[] flipOneByte(Digest digest) throws Exception {
        byte[] bytes = Files.readAllBytes(blobFile(digest));
        bytes[bytes.length / 3] ^= 0x20;
        Files.write(blobFile(digest), bytes);
        return bytes;
    }

    private byte[] stored(Digest digest) throws Exception {
        try (BlobContent content = f.blobs.open(digest).orElseThrow();
             ReadableByteChannel channel = content.read(0, content.size())) {
            ByteBuffer buffer = ByteBuffer.allocate((int) content.size());
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read on
            }
            return buffer.array();
        }
    }

    private ScrubReport scrub(boolean dryRun, RepairSource source) {
        return scrubber.run(new Scrubber.Request("alice", dryRun, source, 0));
    }

    @Test
    void aFlippedByteIsFoundQuarantinedNoLongerServedAndRepairedFromTheBackup() throws Exception {
        TestLayout.Image image = pushed("team/app", "v1", "app", 40_000, 9_000);
        Digest layer = Digest.sha256(image.layers().get(0));
        byte[] damaged = flipOneByte(layer);

        ScrubReport report = scrub(false, RepairSource.layout(backup.root()));

        assertEquals(ScrubReport.COMPLETED, report.outcome(), report.error());
        assertEquals(3, report.blobsChecked(), "config and two layers (manifests live in the database)");
        assertEquals(1, report.manifestsChecked());
        assertEquals(List.of(layer.toString()), report.corrupt().stream().map(ScrubReport.Finding::digest).toList());
        assertEquals(Digest.sha256(damaged).toString(), report.corrupt().get(0).actualDigest());
        assertEquals(1, report.quarantined().size());
        Path quarantined = Path.of(report.quarantined().get(0).path());
        assertTrue(quarantined.startsWith(dir.resolve("registry/quarantine/sha256")), quarantined.toString());
        assertArrayEquals(damaged, Files.readAllBytes(quarantined), "moved, never deleted");
        assertEquals(List.of(layer.toString()), report.repaired().stream().map(ScrubReport.Repair::digest).toList());
        assertEquals(List.of(), report.repairFailed());
        ScrubReport.Affected affected = report.affected().get(0);
        assertEquals(List.of("team/app", "v1", image.digest().toString()),
                List.of(affected.repository(), affected.tag(), affected.digest()));
        assertEquals(List.of(layer.toString()), affected.corrupt());
        assertTrue(affected.repaired());
        assertTrue(report.clean());

        assertArrayEquals(image.layers().get(0), stored(layer), "the exact bytes are back");
        assertArrayEquals(image.layers().get(0), stored(layer));
        assertEquals(image.layers().get(0).length, f.registry.statBlob("team/app", layer));

        AuditEntry quarantine = audit.withAction("scrub.quarantine").get(0);
        assertEquals(layer.toString(), quarantine.digest());
        assertEquals("alice", quarantine.actor());
        assertEquals(report.id(), quarantine.detail().get("runId"));
        AuditEntry repair = audit.withAction("scrub.repair").get(0);
        assertEquals(layer.toString(), repair.digest());
        assertEquals("repaired", repair.detail().get("outcome"));
        assertEquals(1, audit.withAction("scrub.run.start").size());
        assertEquals("completed", audit.withAction("scrub.run.end").get(0).detail().get("outcome"));

        ScrubReport again = scrub(false, null);
        assertTrue(again.corrupt().isEmpty() && again.missing().isEmpty() && again.affected().isEmpty(), again.toString());
    }

    @Test
    void withoutARepairSourceTheCorruptBlobIsQuarantinedAndThenReportedMissing() throws Exception {
        TestLayout.Image image = pushed("team/app", "v1", "app", 5_000);
        pushed("team/app", "v2", "other", 6_000);
        Digest layer = Digest.sha256(image.layers().get(0));
        flipOneByte(layer);

        ScrubReport report = scrub(false, null);

        assertEquals(1, report.quarantined().size());
        assertFalse(Files.exists(blobFile(layer)));
        assertTrue(f.blobs.size(layer).isEmpty());
        assertTrue(f.blobs.open(layer).isEmpty());
        assertEquals(ErrorCode.BLOB_UNKNOWN,
                assertThrows(RegistryException.class, () -> f.registry.openBlob("team/app", layer)).code());
        assertEquals(ErrorCode.BLOB_UNKNOWN,
                assertThrows(RegistryException.class, () -> f.registry.statBlob("team/app", layer)).code());
        assertEquals(1, report.affected().size(), "v2 is intact");
        assertEquals("v1", report.affected().get(0).tag());
        assertFalse(report.affected().get(0).repaired());
        assertFalse(report.clean());

        ScrubReport next = scrub(false, null);
        assertEquals(List.of(layer.toString()), next.missing().stream().map(ScrubReport.Finding::digest).toList());
        assertEquals("team/app", next.missing().get(0).repository());
        assertEquals(image.layers().get(0).length, next.missing().get(0).size(), "the size the manifest declares");
        assertEquals(List.of(layer.toString()), next.affected().get(0).missing());
        assertEquals(List.of(), next.quarantined());
    }

    @Test
    void aDryRunReportsAndChangesNothing() throws Exception {
        TestLayout.Image image = pushed("team/app", "v1", "app", 5_000);
        Digest layer = Digest.sha256(image.layers().get(0));
        byte[] damaged = flipOneByte(layer);

        ScrubReport report = scrub(true, RepairSource.layout(backup.root()));

        assertTrue(report.dryRun());
        assertEquals(List.of(layer.toString()), report.corrupt().stream().map(ScrubReport.Finding::digest).toList());
        assertEquals(List.of(), report.quarantined());
        assertEquals(List.of(), report.repaired());
        assertEquals("v1", report.affected().get(0).tag());
        assertArrayEquals(damaged, Files.readAllBytes(blobFile(layer)), "still in place, untouched");
        assertFalse(Files.exists(dir.resolve("registry/quarantine/sha256")) && hasFiles(dir.resolve("registry/quarantine/sha256")));
        assertEquals(List.of(), audit.withAction("scrub.quarantine"));
        assertEquals(List.of(), audit.withAction("scrub.repair"));
    }

    @Test
    void missingContentIsReportedForTheTagsOfTheImageAndOfAnIndexAboveIt() throws Exception {
        TestLayout.Image amd = backup.image("amd", List.of(GcFixture.bytes("amd", 3000)));
        TestLayout.Image arm = backup.image("arm", List.of(GcFixture.bytes("arm", 3500)));
        TestLayout.Image index = backup.index(List.of(amd, arm));
        backup.name(index, "latest");
        TestLayout.push(f, "multi/app", "amd-only", amd);
        TestLayout.push(f, "multi/app", "arm-untagged", arm);
        f.metadata.deleteTag("multi/app", "arm-untagged", "test");
        f.registry.putManifest("multi/app", Reference.ofTag("latest"), index.mediaType(), index.manifest(), List.of(), "alice");
        Digest armLayer = Digest.sha256(arm.layers().get(0));
        Files.delete(blobFile(armLayer));

        ScrubReport report = scrub(false, null);

        assertEquals(List.of(armLayer.toString()), report.missing().stream().map(ScrubReport.Finding::digest).toList());
        assertEquals(List.of("latest"), report.affected().stream().map(ScrubReport.Affected::tag).toList(),
                "the index's tag; the untagged child is covered by it, the amd image is intact");
        assertEquals(index.digest().toString(), report.affected().get(0).digest());
        assertEquals(List.of(armLayer.toString()), report.affected().get(0).missing());

        ScrubReport repaired = scrubber.run(new Scrubber.Request("scheduler", false, RepairSource.layout(backup.root()), 0));
        assertEquals(List.of(), repaired.repairFailed());
        assertArrayEquals(arm.layers().get(0), Files.readAllBytes(blobFile(armLayer)));
        assertEquals(List.of(armLayer.toString()), repaired.repaired().stream().map(ScrubReport.Repair::digest).toList());
        assertTrue(repaired.affected().get(0).repaired());
    }

    @Test
    void aManifestRowWhoseBytesChangedIsReportedLoudlyAndRepairedFromTheBackup() throws Exception {
        TestLayout.Image image = pushed("team/app", "v1", "app", 2_000);
        byte[] changed = image.manifest().clone();
        changed[changed.length - 2] = (byte) ' ';
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("registry/registry.db"));
             PreparedStatement update = db.prepareStatement("UPDATE manifests SET content = ? WHERE digest = ?")) {
            update.setBytes(1, changed);
            update.setString(2, image.digest().toString());
            assertEquals(1, update.executeUpdate());
        }

        ScrubReport report = scrub(false, RepairSource.layout(backup.root()));

        ScrubReport.Finding finding = report.corrupt().get(0);
        assertEquals(List.of("manifest", "team/app", image.digest().toString(), Digest.sha256(changed).toString()),
                List.of(finding.kind(), finding.repository(), finding.digest(), finding.actualDigest()));
        assertEquals(1, audit.withAction("scrub.manifest.corrupt").size());
        assertEquals("v1", report.affected().get(0).tag());
        assertEquals(List.of(image.digest().toString()), report.repaired().stream().map(ScrubReport.Repair::digest).toList());
        assertTrue(report.affected().get(0).repaired());
        assertArrayEquals(image.manifest(), f.metadata.findManifestByTag("team/app", "v1").orElseThrow().content());
    }

    @Test
    void whenTheAuditLogCannotBeWrittenNothingIsQuarantined() throws Exception {
        TestLayout.Image image = pushed("team/app", "v1", "app", 5_000);
        Digest layer = Digest.sha256(image.layers().get(0));
        byte[] damaged = flipOneByte(layer);
        audit.refuseChanges = true;

        ScrubReport report = scrub(false, RepairSource.layout(backup.root()));

        assertEquals(ScrubReport.FAILED, report.outcome());
        assertTrue(report.error().contains("audit"), report.error());
        assertEquals(List.of(), report.quarantined());
        assertArrayEquals(damaged, Files.readAllBytes(blobFile(layer)), "fail closed: the blob was not moved");
        assertEquals(List.of(), audit.withAction("scrub.quarantine"));
    }

    @Test
    void blobReadsArePacedAtTheConfiguredRate() throws Exception {
        pushed("team/app", "v1", "app", 1 << 20, 1 << 20, 1 << 20);

        ScrubReport report = scrubber.run(new Scrubber.Request("alice", false, null, 1 << 20));

        assertEquals(ScrubReport.COMPLETED, report.outcome());
        long bytes = report.bytesHashed();
        assertTrue(bytes > 3 << 20);
        double seconds = timer.slept / 1e9;
        double expected = bytes / (double) (1 << 20) - 0.1; // less the burst of a tenth of a second
        assertEquals(expected, seconds, 0.01, "slept " + seconds + " s for " + bytes + " bytes at 1 MiB/s");
        assertEquals(1 << 20, report.maxBytesPerSecond());
    }

    @Test
    void aRunStoppedMidReadReportsNoFindingAndQuarantinesNothing() throws Exception {
        TestLayout.Image image = pushed("team/app", "v1", "app", 5_000);
        BytePacer.Timer interrupting = new BytePacer.Timer() {
            @Override
            public long nanoTime() {
                return 0;
            }

            @Override
            public void sleepNanos(long nanos) {
                // The shutdown's interrupt arriving just before a read: the read fails on it.
                Thread.currentThread().interrupt();
            }
        };
        Scrubber stopped = new Scrubber(f.registry, f.metadata, f.blobs, DigestLocks.inProcess(), audit, f.clock, interrupting);

        ScrubReport report = stopped.run(new Scrubber.Request("alice", false, null, 1));
        assertTrue(Thread.interrupted(), "the interrupt is kept for the thread's owner");

        assertEquals(ScrubReport.FAILED, report.outcome());
        assertTrue(report.error().startsWith("stopped"), report.error());
        assertEquals(List.of(), report.corrupt(), "an interrupted read says nothing about the blob");
        assertEquals(List.of(), report.quarantined());
        for (Digest blob : image.blobDigests()) {
            assertTrue(Files.exists(blobFile(blob)));
        }
    }

    @Test
    void aPushOfTheSameBytesHealsADamagedFileBeforeTheScrubSeesIt() throws Exception {
        TestLayout.Image image = pushed("team/app", "v1", "app", 5_000);
        Digest layer = Digest.sha256(image.layers().get(0));
        flipOneByte(layer);
        f.pushBlob("team/app", image.layers().get(0));

        ScrubReport report = scrub(false, null);

        assertEquals(List.of(), report.corrupt());
        assertEquals(List.of(), report.quarantined());
        assertNull(report.error());
    }

    private static boolean hasFiles(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.findAny().isPresent();
        }
    }
}
