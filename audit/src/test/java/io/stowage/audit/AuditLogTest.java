package io.stowage.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditLogTest {
    @TempDir
    Path data;

    private Path dir() {
        return data.resolve("audit");
    }

    private SigningKey key() throws IOException {
        return SigningKey.loadOrCreate(data.resolve("keys/audit-ed25519.pem"));
    }

    private VerifyReport verify() throws IOException {
        return new AuditVerifier(key().verifyingKey(), false).verify(dir());
    }

    static AuditEntry request(Instant time, String method, String action, String repository, int status) {
        return new AuditEntry(AuditEntry.REQUEST, time, "req-" + System.nanoTime(), "alice", "127.0.0.1", method,
                "/v2/" + repository + "/manifests/v1", action, repository, "v1", null, status, 0L, 12L, 3L,
                "test-agent/1.0", null);
    }

    @Test
    void recordsChainAndVerifyAcrossRestarts() throws IOException {
        try (AuditLog log = AuditLog.open(AuditSettings.defaults(dir()), key(), Clock.systemUTC(), null)) {
            AuditRecord first = log.append(request(Instant.now(), "PUT", "manifest.put", "team/app", 201)).join();
            AuditRecord second = log.append(request(Instant.now(), "GET", "manifest.get", "team/app", 200)).join();
            assertEquals(first.seq() + 1, second.seq());
            assertEquals(first.hash(), second.prevHash());
        }
        try (AuditLog log = AuditLog.open(AuditSettings.defaults(dir()), key(), Clock.systemUTC(), null)) {
            log.append(request(Instant.now(), "DELETE", "tag.delete", "team/app", 202)).join();
        }
        VerifyReport report = verify();
        assertTrue(report.ok(), report.toString());
        // open event + checkpoint, 2 requests, final checkpoint; again: open event + checkpoint, 1 request, final checkpoint
        assertEquals(9, report.records());
        assertEquals(9, report.lastSeq());
        assertEquals(1, report.segments());
    }

    @Test
    void readsAppendedWithoutAFutureAreChainedInOrderWithTheRest() throws IOException {
        try (AuditLog log = AuditLog.open(AuditSettings.defaults(dir()), key(), Clock.systemUTC(), null)) {
            for (int i = 0; i < 500; i++) {
                log.appendRead(request(Instant.now(), "GET", "manifest.get", "reads/" + i, 200));
            }
            // A mutation handed to appendRead is still a mutation: queued with the others, durable before close.
            log.appendRead(request(Instant.now(), "PUT", "manifest.put", "reads/put", 201));
            log.append(request(Instant.now(), "DELETE", "tag.delete", "reads/last", 202)).join();
        }
        List<String> repositories = new ArrayList<>();
        for (Path segment : SegmentFiles.list(dir())) {
            for (var line : SegmentFiles.readAll(segment)) {
                AuditRecord record = RecordCodec.fromMap(RecordCodec.parse(line.bytes()));
                if (record.entry().repository() != null) {
                    repositories.add(record.entry().repository());
                }
            }
        }
        assertEquals(502, repositories.size());
        for (int i = 0; i < 500; i++) {
            assertEquals("reads/" + i, repositories.get(i), "reads keep their order");
        }
        assertTrue(repositories.containsAll(List.of("reads/put", "reads/last")));
        VerifyReport report = verify();
        assertTrue(report.ok(), report.toString());
        // Once closed, a read is refused (and logged), never thrown at the caller.
        AuditLog closed = AuditLog.open(AuditSettings.defaults(dir()), key(), Clock.systemUTC(), null);
        closed.close();
        closed.appendRead(request(Instant.now(), "GET", "manifest.get", "reads/late", 200));
    }

    @Test
    void privateKeyIsOwnerOnlyAndPublicKeyRoundTripsThroughPem() throws IOException {
        SigningKey key = key();
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(data.resolve("keys/audit-ed25519.pem"));
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), mode);
        VerifyingKey exported = VerifyingKey.fromPem(key.verifyingKey().toPem());
        byte[] message = "statement".getBytes(StandardCharsets.UTF_8);
        assertTrue(exported.verify(message, key.sign(message)));
        assertEquals(key.verifyingKey().keyId(), SigningKey.load(data.resolve("keys/audit-ed25519.pem")).verifyingKey().keyId());
    }

    @Test
    void segmentsRotateBySizeAndSealedOnesAreReadOnly() throws IOException {
        AuditSettings settings = AuditSettings.defaults(dir()).withSegmentMaxBytes(8 * 1024);
        try (AuditLog log = AuditLog.open(settings, key(), Clock.systemUTC(), null)) {
            for (int i = 0; i < 100; i++) {
                log.append(request(Instant.now(), "PUT", "manifest.put", "team/app" + i, 201)).join();
            }
        }
        List<Path> segments = SegmentFiles.list(dir());
        assertTrue(segments.size() >= 3, "segments: " + segments);
        for (Path sealed : segments.subList(0, segments.size() - 1)) {
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.GROUP_READ,
                    PosixFilePermission.OTHERS_READ), Files.getPosixFilePermissions(sealed));
        }
        VerifyReport report = verify();
        assertTrue(report.ok(), report.toString());
        assertEquals(segments.size(), report.segments());
    }

    @Test
    void aNewUtcDayStartsANewSegment() throws IOException {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T23:59:00Z"));
        try (AuditLog log = AuditLog.open(AuditSettings.defaults(dir()), key(), clock, null)) {
            log.append(request(clock.instant(), "PUT", "manifest.put", "a", 201)).join();
            clock.advance(Duration.ofMinutes(2));
            log.append(request(clock.instant(), "PUT", "manifest.put", "b", 201)).join();
        }
        assertEquals(2, SegmentFiles.list(dir()).size());
        assertTrue(verify().ok());
    }

    @Test
    void anOpenSegmentGetsACheckpointWithinTheInterval() throws Exception {
        AuditSettings settings = AuditSettings.defaults(dir()).withCheckpointInterval(Duration.ofMillis(200));
        try (AuditLog log = AuditLog.open(settings, key(), Clock.systemUTC(), null)) {
            AuditRecord record = log.append(request(Instant.now(), "PUT", "manifest.put", "a", 201)).join();
            AuditRecord head = null;
            for (int i = 0; i < 100 && (head == null || head.seq() <= record.seq()); i++) {
                Thread.sleep(50);
                head = readHead();
            }
            assertNotNull(head);
            assertEquals(record.seq() + 1, head.seq(), "a checkpoint right after the record");
            assertEquals(record.hash(), Checkpoint.fromDetail(head.entry().detail()).lastHash());
            // Verifiable while the registry is still running, since the tail is signed.
            assertTrue(verify().ok());
        }
    }

    @Test
    void concurrentAppendsAreGapFreeAndGroupCommitted() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try (AuditLog log = AuditLog.open(AuditSettings.defaults(dir()), key(), Clock.systemUTC(), null)) {
            List<CompletableFuture<AuditRecord>> all = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                int n = i;
                all.add(CompletableFuture.supplyAsync(() ->
                        log.append(request(Instant.now(), "PUT", "manifest.put", "r" + n % 7, 201)).join(), pool));
            }
            long[] seqs = all.stream().map(CompletableFuture::join).mapToLong(AuditRecord::seq).sorted().toArray();
            for (int i = 1; i < seqs.length; i++) {
                assertEquals(seqs[i - 1] + 1, seqs[i]);
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        VerifyReport report = verify();
        assertTrue(report.ok(), report.toString());
    }

    @Test
    void aTornLastLineIsCutOffAndTheOpeningIsRecorded() throws IOException {
        try (AuditLog log = AuditLog.open(AuditSettings.defaults(dir()), key(), Clock.systemUTC(), null)) {
            log.append(request(Instant.now(), "PUT", "manifest.put", "a", 201)).join();
        }
        Path segment = SegmentFiles.list(dir()).get(0);
        Files.write(segment, "{\"seq\":99,\"kind\":\"requ".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        try (AuditLog log = AuditLog.open(AuditSettings.defaults(dir()), key(), Clock.systemUTC(), null)) {
            log.append(request(Instant.now(), "PUT", "manifest.put", "b", 201)).join();
        }
        VerifyReport report = verify();
        assertTrue(report.ok(), report.toString());
        boolean noted = SegmentFiles.readAll(segment).stream()
                .map(l -> RecordCodec.fromMap(RecordCodec.parse(l.bytes())))
                .anyMatch(r -> "audit.open".equals(r.entry().action()) && r.entry().detail().containsKey("tornBytesRemoved"));
        assertTrue(noted, "the reopening records the bytes it cut");
    }

    @Test
    void mutationsAreRefusedWhenTheDiskHasLessThanTheReserve() throws IOException {
        AuditSettings settings = AuditSettings.defaults(dir()).withMinFreeBytes(Long.MAX_VALUE);
        try (AuditLog log = AuditLog.open(settings, key(), Clock.systemUTC(), null)) {
            AuditUnavailableException refused = assertThrows(AuditUnavailableException.class, log::ensureWritable);
            assertTrue(refused.getMessage().contains("bytes free"), refused.getMessage());
        }
        try (AuditLog log = AuditLog.open(AuditSettings.defaults(dir()), key(), Clock.systemUTC(), null)) {
            log.ensureWritable();
        }
    }

    @Test
    void aDiskThatRefusesWritesMakesTheLogFailClosed() throws Exception {
        Path full = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(full), "needs /dev/full for a real ENOSPC");
        AuditSettings settings = AuditSettings.defaults(dir()).withSegmentMaxBytes(4096);
        AuditLog log = AuditLog.open(settings, key(), Clock.systemUTC(), null);
        try {
            // The next segment the writer rotates into answers every write with ENOSPC.
            Files.createSymbolicLink(dir().resolve(SegmentFiles.name(2)), full);
            Throwable failure = null;
            for (int i = 0; i < 200 && failure == null; i++) {
                failure = log.append(request(Instant.now(), "PUT", "manifest.put", "r" + i, 201))
                        .handle((record, error) -> error).join();
            }
            assertNotNull(failure, "a write to a full disk must fail the append");
            assertTrue(failure instanceof AuditUnavailableException, failure.toString());
            assertFalse(log.isHealthy());
            assertThrows(AuditUnavailableException.class, log::ensureWritable);
        } finally {
            log.close();
        }
        // What was written before the failure still verifies up to where the disk gave out.
        Files.delete(dir().resolve(SegmentFiles.name(2)));
        VerifyReport report = new AuditVerifier(key().verifyingKey(), true).verify(dir());
        assertTrue(report.ok(), report.toString());
    }

    @Test
    void appendsAfterCloseFail() throws IOException {
        AuditLog log = AuditLog.open(AuditSettings.defaults(dir()), key(), Clock.systemUTC(), null);
        log.close();
        CompletableFuture<AuditRecord> late = log.append(request(Instant.now(), "PUT", "manifest.put", "a", 201));
        assertTrue(late.isCompletedExceptionally());
        assertThrows(AuditUnavailableException.class, log::ensureWritable);
    }

    @Test
    void purgeDeletesOnlyOldSealedSegmentsAndTheLogStillVerifies() throws IOException {
        MutableClock clock = new MutableClock(Instant.parse("2025-01-01T10:00:00Z"));
        try (AuditLog log = AuditLog.open(AuditSettings.defaults(dir()), key(), clock, null)) {
            for (int day = 0; day < 4; day++) {
                log.append(request(clock.instant(), "PUT", "manifest.put", "day" + day, 201)).join();
                clock.advance(Duration.ofDays(1));
            }
            assertEquals(List.of(), log.purge(clock.instant(), "admin"), "nothing is older than 13 months yet");
            clock.advance(Duration.ofDays(396 + 1));
            log.append(request(clock.instant(), "GET", "manifest.get", "late", 200)).join();
            Instant cutoff = Instant.parse("2025-01-03T12:00:00Z").plus(Duration.ofDays(396));
            clock.advance(Duration.ofDays(400));
            List<String> purged = log.purge(cutoff.minus(Duration.ofDays(396)), "admin");
            assertEquals(List.of(SegmentFiles.name(1), SegmentFiles.name(2)), purged);
        }
        assertFalse(Files.exists(dir().resolve(SegmentFiles.name(1))));
        VerifyReport report = verify();
        assertTrue(report.ok(), report.toString());
    }

    @Test
    void retentionShorterThanThirteenMonthsIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new AuditSettings(dir(), AuditSettings.DEFAULT_SEGMENT_BYTES,
                true, Duration.ofMinutes(1), 0, Duration.ofDays(30), null));
    }

    private AuditRecord readHead() throws IOException {
        Path head = dir().resolve(SegmentFiles.HEAD_FILE);
        if (!Files.exists(head)) {
            return null;
        }
        String line = Files.readString(head).strip();
        return RecordCodec.fromMap(RecordCodec.parse(line.getBytes(StandardCharsets.UTF_8)));
    }

}
