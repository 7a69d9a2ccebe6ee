package io.stowage.audit.index;

import io.stowage.audit.AuditChains;
import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditLog;
import io.stowage.audit.AuditRecord;
import io.stowage.audit.AuditSettings;
import io.stowage.audit.SigningKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The index over several replicas' chains in one audit directory: filters, the replica of each record, paging. */
class ReplicaIndexesTest {
    @TempDir
    Path data;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private AuditChains chains() {
        return new AuditChains(data.resolve("audit"));
    }

    private AuditLog open(String replica) throws IOException {
        AuditLog log = chains().open(AuditSettings.defaults(data.resolve("audit")).withReplica(replica)
                        .withSegmentMaxBytes(16 * 1024),
                SigningKey.loadOrCreate(data.resolve("keys-" + replica + "/k.pem")), Clock.systemUTC(), null);
        open.add(log);
        return log;
    }

    private ReplicaIndexes indexes(String own) {
        ReplicaIndexes indexes = new ReplicaIndexes(data.resolve("index-" + own), chains(), own);
        open.add(0, indexes);
        return indexes;
    }

    private static AuditEntry push(String replica, int i) {
        return new AuditEntry(AuditEntry.REQUEST, Instant.now(), "req-" + replica + i, "user-" + replica, "10.0.0.1",
                "PUT", "/v2/team/app/manifests/" + i, "manifest.put", "team/app", String.valueOf(i), null, 201, 10L,
                0L, 1L, "test", null);
    }

    /** Appends {@code count} pushes to each log at once, from several threads. */
    private static void pushConcurrently(int count, AuditLog... logs) {
        ExecutorService threads = Executors.newFixedThreadPool(6);
        try {
            List<CompletableFuture<AuditRecord>> all = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                for (AuditLog log : logs) {
                    int n = i;
                    String replica = log.settings().replica();
                    all.add(CompletableFuture.supplyAsync(() -> log.append(push(replica, n)).join(), threads));
                }
            }
            all.forEach(CompletableFuture::join);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void bothReplicasRecordsAreFoundWithTheirReplicaAndTheReplicaFilterSelectsOne() throws IOException {
        AuditLog a = open("a");
        AuditLog b = open("b");
        ReplicaIndexes fromA = indexes("a");
        a.onDurable(fromA::recordsDurable);
        pushConcurrently(300, a, b);

        AuditQuery pushes = AuditQuery.all().withAction("manifest.put").withLimit(1000);
        ReplicaPage all = fromA.query(pushes, ReplicaCursor.START);
        assertEquals(600, all.records().size());
        assertNull(all.next());
        for (ReplicaPage.Found found : all.records()) {
            assertEquals("user-" + found.replica(), found.record().entry().actor());
            assertEquals(found.replica(), found.record().replica());
        }
        ReplicaPage onlyB = fromA.query(pushes.withReplica("b"), ReplicaCursor.START);
        assertEquals(300, onlyB.records().size());
        assertTrue(onlyB.records().stream().allMatch(f -> f.replica().equals("b")));
        // A filter on a value only b's records have, with no replica filter, finds only b's.
        assertEquals(300, fromA.query(pushes.withActor("user-b"), ReplicaCursor.START).records().size());

        // Replica b's own index sees a's records too.
        ReplicaIndexes fromB = indexes("b");
        assertEquals(300, fromB.query(pushes.withReplica("a"), ReplicaCursor.START).records().size());
    }

    @Test
    void pagingVisitsEveryRecordOnceInOrderWhileBothChainsGrow() throws IOException {
        AuditLog a = open("a");
        AuditLog b = open("b");
        ReplicaIndexes indexes = indexes("a");
        pushConcurrently(150, a, b);

        AuditQuery query = AuditQuery.all().withAction("manifest.put").withLimit(37);
        Set<String> seen = new HashSet<>();
        List<ReplicaPage.Found> inOrder = new ArrayList<>();
        ReplicaCursor after = ReplicaCursor.START;
        int pages = 0;
        while (true) {
            ReplicaPage page = indexes.query(query, after);
            for (ReplicaPage.Found found : page.records()) {
                assertTrue(seen.add(found.replica() + ":" + found.record().seq()), "returned twice: " + found);
                inOrder.add(found);
            }
            if (pages++ == 2) {
                pushConcurrently(50, a, b); // appended mid-way: neither skipped nor repeated
            }
            if (page.next() == null) {
                break;
            }
            assertTrue(page.next().contains("a:") || page.next().contains("b:"), page.next());
            after = ReplicaCursor.parse(page.next());
        }
        assertEquals(400, seen.size());
        // Within a chain, seq order.
        for (String replica : List.of("a", "b")) {
            List<Long> seqs = inOrder.stream().filter(f -> f.replica().equals(replica)).map(f -> f.record().seq()).toList();
            List<Long> sorted = new ArrayList<>(seqs);
            sorted.sort(null);
            assertEquals(sorted, seqs, replica);
        }
    }

    @Test
    void oneChainKeepsThePlainSeqCursorAndAPlainSeqContinuesEveryChain() throws IOException {
        AuditLog a = open("a");
        ReplicaIndexes indexes = indexes("a");
        pushConcurrently(30, a);
        AuditQuery query = AuditQuery.all().withAction("manifest.put").withLimit(10);
        ReplicaPage first = indexes.query(query, ReplicaCursor.START);
        assertNotNull(first.next());
        assertEquals(String.valueOf(first.records().get(9).record().seq()), first.next());
        ReplicaPage second = indexes.query(query, ReplicaCursor.parse(first.next()));
        assertEquals(first.records().get(9).record().seq() + 1, second.records().get(0).record().seq());
    }

    @Test
    void malformedCursorsAreRefusedWithAMessage() {
        for (String bad : new String[]{"a", "a:", "A:1", "a:1,a:2", "a:-1", "x_y:3"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReplicaCursor.parse(bad), bad);
            assertTrue(e.getMessage().contains("after must be"), e.getMessage());
        }
        assertEquals(5L, ReplicaCursor.parse("-:5,b:7").after("-"));
        assertEquals(7L, ReplicaCursor.parse("-:5,b:7").after("b"));
        assertNull(ReplicaCursor.parse("-:5,b:7").after("c"));
        assertEquals(3L, ReplicaCursor.parse("3").after("c"));
    }
}
