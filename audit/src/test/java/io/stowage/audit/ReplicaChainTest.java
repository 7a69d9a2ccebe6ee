package io.stowage.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One chain per replica: the replica in every record and checkpoint, one writer per chain, old chains continued. */
class ReplicaChainTest {
    @TempDir
    Path data;

    private SigningKey key() throws IOException {
        return SigningKey.loadOrCreate(data.resolve("keys/audit-ed25519.pem"));
    }

    private Path chain() {
        return data.resolve("audit");
    }

    private static AuditEntry push(int i) {
        return AuditLogTest.request(Instant.now(), "PUT", "manifest.put", "team/app" + i, 201);
    }

    @Test
    void everyRecordAndCheckpointNamesTheReplica() throws IOException {
        try (AuditLog log = AuditLog.open(AuditSettings.defaults(chain()).withReplica("registry-0"), key(),
                Clock.systemUTC(), null)) {
            log.append(push(1)).join();
        }
        List<SegmentFiles.Line> lines = SegmentFiles.readAll(chain().resolve(SegmentFiles.name(1)));
        for (SegmentFiles.Line line : lines) {
            AuditRecord record = RecordCodec.fromMap(RecordCodec.parse(line.bytes()));
            assertEquals("registry-0", record.replica());
            if (AuditEntry.CHECKPOINT.equals(record.entry().kind())) {
                assertEquals("registry-0", Checkpoint.fromDetail(record.entry().detail()).replica());
            }
        }
        String head = Files.readString(chain().resolve(SegmentFiles.HEAD_FILE));
        assertTrue(head.contains("\"replica\":\"registry-0\""), head);
        assertTrue(new AuditVerifier(key().verifyingKey(), false).verify(chain(), "registry-0").ok());
    }

    @Test
    void aLogWithoutReplicasStillVerifiesAndIsContinuedByAReplica() throws IOException {
        try (AuditLog log = AuditLog.open(AuditSettings.defaults(chain()), key(), Clock.systemUTC(), null)) {
            log.append(push(1)).join();
        }
        AuditRecord old = RecordCodec.fromMap(RecordCodec.parse(
                SegmentFiles.readAll(chain().resolve(SegmentFiles.name(1))).get(1).bytes()));
        assertNull(old.replica());
        String oldLine = new String(SegmentFiles.readAll(chain().resolve(SegmentFiles.name(1))).get(1).bytes(),
                StandardCharsets.UTF_8);
        assertFalse(oldLine.contains("replica"), oldLine);
        assertTrue(new AuditVerifier(key().verifyingKey(), false).verify(chain()).ok());

        try (AuditLog log = AuditLog.open(AuditSettings.defaults(chain()).withReplica("a"), key(), Clock.systemUTC(),
                null)) {
            AuditRecord continued = log.append(push(2)).join();
            assertEquals("a", continued.replica());
        }
        VerifyReport report = new AuditVerifier(key().verifyingKey(), false).verify(chain(), "a");
        assertTrue(report.ok(), report.toString());
        // Each opening: audit.open, checkpoint, one push, the closing checkpoint.
        assertEquals(8, report.records());
    }

    @Test
    void aChainOfOneReplicaIsNotContinuedByAnother() throws IOException {
        try (AuditLog log = AuditLog.open(AuditSettings.defaults(chain()).withReplica("a"), key(), Clock.systemUTC(),
                null)) {
            log.append(push(1)).join();
        }
        IOException refused = assertThrows(IOException.class, () -> AuditLog.open(
                AuditSettings.defaults(chain()).withReplica("b"), key(), Clock.systemUTC(), null));
        assertTrue(refused.getMessage().contains("belongs to replica 'a'"), refused.getMessage());
        VerifyReport asB = new AuditVerifier(key().verifyingKey(), false).verify(chain(), "b");
        assertFalse(asB.ok());
        assertEquals(1, asB.problem().seq());
        assertTrue(asB.problem().reason().contains("chain of replica 'b'"), asB.problem().reason());
        // And the refused open left the chain unlocked for its own replica.
        try (AuditLog log = AuditLog.open(AuditSettings.defaults(chain()).withReplica("a"), key(), Clock.systemUTC(),
                null)) {
            log.append(push(2)).join();
        }
    }

    @Test
    void aSecondWriterOnOneChainIsRefusedUntilTheFirstCloses() throws IOException {
        AuditSettings settings = AuditSettings.defaults(chain()).withReplica("a");
        try (AuditLog first = AuditLog.open(settings, key(), Clock.systemUTC(), null)) {
            ChainLockedException refused = assertThrows(ChainLockedException.class,
                    () -> AuditLog.open(settings, key(), Clock.systemUTC(), null));
            assertTrue(refused.getMessage().contains("already being written"), refused.getMessage());
            first.append(push(1)).join();
        }
        try (AuditLog again = AuditLog.open(settings, key(), Clock.systemUTC(), null)) {
            again.append(push(2)).join();
        }
        assertTrue(new AuditVerifier(key().verifyingKey(), false).verify(chain(), "a").ok());
    }

    @Test
    void aRecordWithoutReplicaAfterReplicaRecordsIsReported() throws IOException {
        try (AuditLog log = AuditLog.open(AuditSettings.defaults(chain()).withReplica("a"), key(), Clock.systemUTC(),
                null)) {
            log.append(push(1)).join();
        }
        Path segment = chain().resolve(SegmentFiles.name(1));
        List<SegmentFiles.Line> lines = SegmentFiles.readAll(segment);
        // Rewrite record 3 as if it named no replica, with a correct hash of its own.
        AuditRecord third = RecordCodec.fromMap(RecordCodec.parse(lines.get(2).bytes()));
        AuditRecord stripped = RecordCodec.seal(third.seq(), null, third.entry(), third.prevHash());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            byte[] line = i == 2 ? RecordCodec.line(stripped) : lines.get(i).bytes();
            text.append(new String(line, StandardCharsets.UTF_8)).append('\n');
        }
        segment.toFile().setWritable(true);
        Files.writeString(segment, text.toString());
        VerifyReport report = new AuditVerifier(key().verifyingKey(), false).verify(chain());
        assertFalse(report.ok());
        assertEquals(3, report.problem().seq());
        assertTrue(report.problem().reason().contains("names no replica"), report.problem().reason());
    }

    @Test
    void replicaIdsAreDnsLabelsAndHostNamesAreSanitised() {
        assertEquals("registry-0", ReplicaId.check("registry-0"));
        for (String bad : new String[]{"", "A", "-a", "a-", "a_b", "a.b", "x".repeat(64)}) {
            assertThrows(IllegalArgumentException.class, () -> ReplicaId.check(bad), bad);
        }
        assertEquals("registry-0", ReplicaId.fromHostName("Registry-0.registry.prod.svc.cluster.local"));
        assertEquals("my-host", ReplicaId.fromHostName("My_Host"));
        assertEquals("replica", ReplicaId.fromHostName("___"));
        assertEquals("replica", ReplicaId.fromHostName(null));
        String longName = ReplicaId.fromHostName("a".repeat(62) + "_b" + "c".repeat(10));
        assertTrue(ReplicaId.isValid(longName), longName);
    }
}
