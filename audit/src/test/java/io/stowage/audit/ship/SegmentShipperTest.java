package io.stowage.audit.ship;

import io.stowage.audit.AuditChains;
import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditLog;
import io.stowage.audit.AuditSettings;
import io.stowage.audit.ChainKeys;
import io.stowage.audit.ChainsReport;
import io.stowage.audit.ChainsVerifier;
import io.stowage.audit.PurgeRefusedException;
import io.stowage.audit.SegmentFiles;
import io.stowage.audit.SigningKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shipping sealed segments into write-once storage: in order, remembered, retried, and verified from there. */
class SegmentShipperTest {
    private static final Duration RETENTION = Duration.ofDays(400);

    @TempDir
    Path data;
    private final MemoryArchive archive = new MemoryArchive();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private AuditLog openLog() throws IOException {
        return openLog(Clock.systemUTC());
    }

    private AuditLog openLog(Clock clock) throws IOException {
        AuditLog log = new AuditChains(data.resolve("audit")).open(AuditSettings.defaults(data.resolve("audit"))
                        .withReplica("r1").withSegmentMaxBytes(4096),
                SigningKey.loadOrCreate(data.resolve("keys/k.pem")), clock, null);
        open.add(0, log);
        return log;
    }

    private SegmentShipper shipper(AuditLog log) throws IOException {
        SegmentShipper shipper = new SegmentShipper(log, archive,
                new ShipSettings(RETENTION, Duration.ofMillis(50), Duration.ofMillis(200)), Clock.systemUTC());
        open.add(0, shipper);
        return shipper;
    }

    private static void fill(AuditLog log, int count) {
        for (int i = 0; i < count; i++) {
            log.append(new AuditEntry(AuditEntry.REQUEST, Instant.now(), "req-" + i, "alice", "127.0.0.1", "PUT",
                    "/v2/app/manifests/" + i, "manifest.put", "app", "v" + i, null, 201, 1L, 0L, 1L, "t", null)).join();
        }
    }

    private ChainsReport verifyArchive() throws IOException {
        Path copy = Files.createTempDirectory(data, "download-");
        ArchiveDownload.Result fetched = ArchiveDownload.download(archive, copy);
        return new ChainsVerifier(ChainKeys.exportedOnly(), false).verify(fetched.chains(), null);
    }

    @Test
    void sealedSegmentsShipInOrderWithTheirLockAndVerifyFromTheArchive() throws IOException {
        AuditLog log = openLog();
        fill(log, 60);
        SegmentShipper shipper = shipper(log);
        Instant before = Instant.now();
        // Listed first: the shipper's own audit.ship records may seal more segments as it goes.
        List<Path> segments = SegmentFiles.list(log.settings().directory());
        int shipped = shipper.shipPending();
        assertEquals(segments.size() - 1, shipped, "every segment but the one being written");
        assertTrue(shipped >= 3);
        for (Path segment : segments.subList(0, segments.size() - 1)) {
            String name = segment.getFileName().toString();
            MemoryArchive.Version version = archive.objects.get("r1/" + name).get(0);
            assertTrue(shipper.isShipped(name));
            assertEquals(Files.readString(segment), new String(version.bytes(), StandardCharsets.UTF_8));
            assertFalse(version.retainUntil().isBefore(before.plus(RETENTION)), "locked for the retention");
        }
        assertFalse(shipper.isShipped(segments.get(segments.size() - 1).getFileName().toString()));
        assertTrue(archive.objects.containsKey("r1/" + ChainKeys.PUBLIC_KEY_FILE));

        ChainsReport report = verifyArchive();
        assertTrue(report.ok(), String.join("\n", report.lines()));
        assertEquals("r1", report.chains().get(0).replica());
        // Each shipped segment is recorded in the log itself.
        List<String> shipRecords = new ArrayList<>();
        for (Path segment : SegmentFiles.list(log.settings().directory())) {
            for (SegmentFiles.Line line : SegmentFiles.readAll(segment)) {
                String text = new String(line.bytes(), StandardCharsets.UTF_8);
                if (text.contains("\"action\":\"audit.ship\"")) {
                    shipRecords.add(text);
                }
            }
        }
        assertEquals(shipped, shipRecords.size());
        assertTrue(shipRecords.get(0).contains("\"segment\":\"" + SegmentFiles.name(1) + "\""), shipRecords.get(0));
    }

    @Test
    void whatWasShippedIsRememberedAcrossRestarts() throws IOException {
        AuditLog log = openLog();
        fill(log, 40);
        int first = shipper(log).shipPending();
        assertTrue(first > 0);
        Map<String, Integer> versions = new java.util.HashMap<>();
        archive.objects.forEach((k, v) -> versions.put(k, v.size()));
        assertEquals(0, shipper(log).shipPending(), "a new shipper reads the state file");
        archive.objects.forEach((k, v) -> assertEquals(versions.get(k), v.size(), k));
    }

    @Test
    void anArchiveOutageIsRetriedAndNothingIsLostOrSkipped() throws Exception {
        AuditLog log = openLog();
        fill(log, 40);
        archive.down = true;
        SegmentShipper shipper = shipper(log);
        assertThrows(IOException.class, shipper::shipPending);
        assertTrue(archive.objects.isEmpty());
        shipper.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while ((int) shipper.status().get("failuresInARow") < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue((int) shipper.status().get("failuresInARow") >= 2, "retried: " + shipper.status());
        fill(log, 40); // more sealed segments while the archive is down
        List<Path> segments = SegmentFiles.list(log.settings().directory());
        String lastSealed = segments.get(segments.size() - 2).getFileName().toString();
        archive.down = false;
        while ((!shipper.isShipped(lastSealed) || (int) shipper.status().get("failuresInARow") > 0)
                && System.nanoTime() < deadline + 5_000_000_000L) {
            Thread.sleep(20);
        }
        assertEquals(0, shipper.status().get("failuresInARow"), shipper.status().toString());
        for (Path segment : segments.subList(0, segments.size() - 1)) {
            assertTrue(archive.objects.containsKey("r1/" + segment.getFileName()), segment.toString());
        }
        assertTrue(verifyArchive().ok());
    }

    @Test
    void aPurgeNeverDeletesSegmentsNotYetShipped() throws IOException {
        // Segments sealed long ago, beyond the retention, then the registry running today.
        AuditLog past = openLog(Clock.offset(Clock.systemUTC(), Duration.ofDays(-500)));
        fill(past, 40);
        past.close();
        AuditLog log = openLog();
        fill(log, 1);
        SegmentShipper shipper = shipper(log);
        log.purgeOnly(shipper::isShipped, "(not yet shipped to the archive)");
        List<Path> before = SegmentFiles.list(log.settings().directory());

        PurgeRefusedException refused = assertThrows(PurgeRefusedException.class,
                () -> log.purge(Instant.now(), "admin"));
        assertTrue(refused.segments().contains(SegmentFiles.name(1)), refused.getMessage());
        assertEquals(before, SegmentFiles.list(log.settings().directory()), "nothing deleted");

        shipper.shipPending();
        List<String> purged = log.purge(Instant.now(), "admin");
        assertTrue(purged.contains(SegmentFiles.name(1)), purged.toString());
        assertTrue(purged.stream().allMatch(shipper::isShipped));
        assertTrue(verifyArchive().ok(), "the archive still holds the whole chain");
    }

    @Test
    void aChangedObjectInTheArchiveIsNamedByTheVerification() throws IOException {
        AuditLog log = openLog();
        fill(log, 40);
        shipper(log).shipPending();
        String key = "r1/" + SegmentFiles.name(2);
        String text = new String(archive.objects.get(key).get(0).bytes(), StandardCharsets.UTF_8);
        archive.replaceNewest(key, text.replaceFirst("\"actor\":\"alice\"", "\"actor\":\"mallory\"")
                .getBytes(StandardCharsets.UTF_8));
        ChainsReport report = verifyArchive();
        assertFalse(report.ok());
        ChainsReport.ChainProblem problem = report.allProblems().get(0);
        assertEquals("r1", problem.replica());
        assertEquals(SegmentFiles.name(2), problem.segment());
    }
}
