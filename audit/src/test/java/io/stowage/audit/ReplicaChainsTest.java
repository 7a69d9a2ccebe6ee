package io.stowage.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several replicas writing one audit directory: a chain each, verified each on its own and together. */
class ReplicaChainsTest {
    @TempDir
    Path data;

    private Path root() {
        return data.resolve("audit");
    }

    private SigningKey key(String replica) throws IOException {
        return SigningKey.loadOrCreate(data.resolve("keys-" + replica + "/audit-ed25519.pem"));
    }

    private AuditLog open(String replica) throws IOException {
        return new AuditChains(root()).open(AuditSettings.defaults(root()).withReplica(replica), key(replica),
                Clock.systemUTC(), null);
    }

    private static AuditEntry push(String replica, int i) {
        return AuditLogTest.request(Instant.now(), "PUT", "manifest.put", "team/" + replica + "-" + i, 201);
    }

    /** Two replicas append from several threads each at once, then close. */
    private void writeConcurrently(int perReplica) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try (AuditLog a = open("a"); AuditLog b = open("b")) {
            List<CompletableFuture<AuditRecord>> written = new ArrayList<>();
            for (int i = 0; i < perReplica; i++) {
                int n = i;
                written.add(CompletableFuture.supplyAsync(() -> a.append(push("a", n)).join(), threads));
                written.add(CompletableFuture.supplyAsync(() -> b.append(push("b", n)).join(), threads));
            }
            written.forEach(CompletableFuture::join);
        } finally {
            threads.shutdownNow();
        }
    }

    private ChainsReport verifyAll() throws IOException {
        return new ChainsVerifier(ChainKeys.exportedOnly(), false).verify(new AuditChains(root()), null);
    }

    @Test
    void twoReplicasWritingOneDirectoryEachKeepAnIntactChain() throws Exception {
        writeConcurrently(200);
        assertTrue(Files.exists(root().resolve("replicas/a/" + SegmentFiles.name(1))));
        assertTrue(Files.exists(root().resolve("replicas/b/" + SegmentFiles.name(1))));
        ChainsReport report = verifyAll();
        assertTrue(report.ok(), String.join("\n", report.lines()));
        assertEquals(List.of("a", "b"), report.chains().stream().map(ChainsReport.ChainResult::replica).toList());
        for (ChainsReport.ChainResult chain : report.chains()) {
            // open, checkpoint, 200 pushes, closing checkpoint; b also names a (audit.replicas)
            assertEquals(chain.replica().equals("b") ? 204 : 203, chain.report().records(), chain.replica());
            assertEquals(key(chain.replica()).verifyingKey().keyId(), chain.keyId());
        }
        assertEquals(key("a").verifyingKey().keyId(), report.chains().get(1).report().otherReplicas().get("a").keyId());
    }

    @Test
    void aTamperedRecordInOneChainIsReportedAsThatReplicas() throws Exception {
        writeConcurrently(20);
        Path segment = root().resolve("replicas/b/" + SegmentFiles.name(1));
        List<SegmentFiles.Line> lines = SegmentFiles.readAll(segment);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String line = new String(lines.get(i).bytes(), StandardCharsets.UTF_8);
            text.append(i == 9 ? line.replace("\"status\":201", "\"status\":200") : line).append('\n');
        }
        segment.toFile().setWritable(true);
        Files.writeString(segment, text.toString());

        ChainsReport report = verifyAll();
        assertFalse(report.ok());
        List<ChainsReport.ChainProblem> problems = report.allProblems();
        assertEquals(1, problems.size(), String.join("\n", report.lines()));
        assertEquals("b", problems.get(0).replica());
        assertEquals(SegmentFiles.name(1), problems.get(0).segment());
        assertEquals(10, problems.get(0).seq());
        assertTrue(report.chains().get(0).report().ok(), "a is untouched");
        @SuppressWarnings("unchecked")
        Map<String, Object> problem = (Map<String, Object>) report.toJson().get("problem");
        assertEquals("b", problem.get("replica"));
    }

    @Test
    void aChainRemovedAfterAnotherReplicaSawItIsNamedMissing() throws Exception {
        writeConcurrently(5);
        try (Stream<Path> files = Files.walk(root().resolve("replicas/a"))) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        ChainsReport report = verifyAll();
        assertFalse(report.ok());
        ChainsReport.ChainProblem missing = report.allProblems().get(0);
        assertEquals("a", missing.replica());
        assertTrue(missing.reason().contains("missing") && missing.reason().contains("replica b recorded it"),
                missing.reason());
    }

    @Test
    void aChainResignedWithAnotherKeyContradictsWhatTheOtherReplicaRecorded() throws Exception {
        writeConcurrently(5);
        SigningKey impostor = SigningKey.loadOrCreate(data.resolve("impostor/audit-ed25519.pem"));
        ChainsReport report = new ChainsVerifier(new ChainKeys(Map.of("a", impostor.verifyingKey()), null, null), false)
                .verify(new AuditChains(root()), null);
        assertFalse(report.ok());
        assertEquals("a", report.allProblems().get(0).replica());
    }

    @Test
    void aChainBeingWrittenAndCheckpointedVerifiesWhileLive() throws Exception {
        AuditLog b = new AuditChains(root()).open(AuditSettings.defaults(root()).withReplica("b")
                .withSegmentMaxBytes(8192), key("b"), Clock.systemUTC(), null);
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            int i = 0;
            while (writing.get()) {
                b.append(push("b", i++)).join();
                if (i % 5 == 0) {
                    b.checkpointNow().join(); // head.json moves on all the time
                }
            }
        });
        writer.start();
        try {
            for (int round = 0; round < 40; round++) {
                ChainsReport live = new ChainsVerifier(ChainKeys.exportedOnly(), true).verify(new AuditChains(root()), null);
                assertTrue(live.ok(), "round " + round + ": " + String.join("\n", live.lines()));
            }
        } finally {
            writing.set(false);
            writer.join();
            b.close();
        }
    }

    @Test
    void aSecondWriterOfOneReplicaIsRefusedWhileTheFirstRuns() throws Exception {
        try (AuditLog a = open("a")) {
            ChainLockedException refused = assertThrows(ChainLockedException.class, () -> open("a"));
            assertTrue(refused.getMessage().contains("replica 'a'"), refused.getMessage());
            a.append(push("a", 1)).join();
        }
        assertTrue(verifyAll().ok());
    }

    @Test
    void aSingleChainLogIsAdoptedByTheFirstReplicaAndVerifiesAsOneChain() throws Exception {
        SigningKey key = key("a");
        try (AuditLog old = AuditLog.open(AuditSettings.defaults(root()).withSegmentMaxBytes(4096), key,
                Clock.systemUTC(), null)) {
            for (int i = 0; i < 40; i++) {
                old.append(push("old", i)).join();
            }
        }
        int oldSegments = SegmentFiles.list(root()).size();
        assertTrue(oldSegments > 1);
        assertEquals(1, new AuditChains(root()).list().size());
        assertNull(new AuditChains(root()).list().get(0).replica());
        // The single-chain log verifies as before with the new verifier, as a chain of its own.
        assertTrue(new ChainsVerifier(new ChainKeys(Map.of(), key.verifyingKey(), null), false)
                .verify(new AuditChains(root()), null).ok());

        try (AuditLog a = open("a")) {
            a.append(push("a", 1)).join();
        }
        try (AuditLog b = open("b")) {
            b.append(push("b", 1)).join();
        }
        assertTrue(SegmentFiles.list(root()).isEmpty(), "the old segments moved");
        assertFalse(Files.exists(root().resolve(SegmentFiles.HEAD_FILE)));
        assertTrue(SegmentFiles.list(root().resolve("replicas/a")).size() >= oldSegments);
        ChainsReport report = verifyAll();
        assertTrue(report.ok(), String.join("\n", report.lines()));
        assertEquals(List.of("a", "b"), report.chains().stream().map(ChainsReport.ChainResult::replica).toList());
        // the 40 old pushes and their log events, then the continuation
        assertTrue(report.chains().get(0).report().records() > 44, report.lines().toString());
    }

    @Test
    void anAdoptionCutShortIsFinishedByTheSameReplicaOnly() throws Exception {
        SigningKey key = key("a");
        try (AuditLog old = AuditLog.open(AuditSettings.defaults(root()).withSegmentMaxBytes(4096), key,
                Clock.systemUTC(), null)) {
            for (int i = 0; i < 40; i++) {
                old.append(push("old", i)).join();
            }
        }
        // A crash after the marker and the first segment's move.
        Path chainA = Files.createDirectories(root().resolve("replicas/a"));
        Files.writeString(root().resolve(AuditChains.ADOPTION_MARKER), "a");
        Files.move(root().resolve(SegmentFiles.name(1)), chainA.resolve(SegmentFiles.name(1)));

        try (AuditLog b = open("b")) {
            b.append(push("b", 1)).join();
        }
        assertFalse(SegmentFiles.list(root()).isEmpty(), "b leaves a's adoption alone");
        try (AuditLog a = open("a")) {
            a.append(push("a", 1)).join();
        }
        assertTrue(SegmentFiles.list(root()).isEmpty());
        assertFalse(Files.exists(root().resolve(AuditChains.ADOPTION_MARKER)));
        ChainsReport report = verifyAll();
        assertTrue(report.ok(), String.join("\n", report.lines()));
    }
}
