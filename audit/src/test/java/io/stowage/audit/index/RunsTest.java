package io.stowage.audit.index;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditLog;
import io.stowage.audit.SegmentFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where lines are is stored as few runs as the lines allow, whatever the batching, and read back as it was. */
class RunsTest {
    private static final long BLOCK = 1L << IndexSchema.BLOCK_BITS;

    @TempDir
    Path root;
    private Path auditDir;
    private Path dbFile;
    private SegmentLines lines;
    private IndexStore store;

    @BeforeEach
    void setUp() throws Exception {
        auditDir = root.resolve("audit");
        dbFile = root.resolve("index.db");
        lines = new SegmentLines(auditDir);
        store = IndexStore.open(dbFile);
    }

    @AfterEach
    void tearDown() throws Exception {
        store.close();
    }

    @Test
    void aBatchOfThousandsOfRecordsInOneSegmentAndBlockIsOneRun() throws Exception {
        List<AuditLog.WrittenRecord> batch = write(1, 3000);
        store(batch);

        long bytes = Files.size(auditDir.resolve(SegmentFiles.name(1)));
        assertEquals(List.of(new Run(1, 3000, 1, 0, bytes)), LogTruth.runs(dbFile));
        assertFindsWhatTheLogHolds();
    }

    @Test
    void runsSplitWhereTheSegmentChangesAndAtBlockEdges() throws Exception {
        List<AuditLog.WrittenRecord> batch = new ArrayList<>(write(4000, 4049));
        lines.newSegment();
        batch.addAll(write(4050, 8199));
        lines.newSegment();
        batch.addAll(write(8200, 8300));
        store(batch);

        assertEquals(List.of(
                        run(batch, 4000, 4049),
                        run(batch, 4050, BLOCK - 1),
                        run(batch, BLOCK, 2 * BLOCK - 1),
                        run(batch, 2 * BLOCK, 8199),
                        run(batch, 8200, 8300)),
                LogTruth.runs(dbFile));
        assertEquals(List.of(1L, 2L, 2L, 2L, 3L), LogTruth.runs(dbFile).stream().map(Run::segment).toList());
        assertFindsWhatTheLogHolds();
    }

    @Test
    void oneRecordBatchesExtendTheLastRun() throws Exception {
        for (AuditLog.WrittenRecord w : write(BLOCK - 300, BLOCK - 101)) {
            store(List.of(w));
        }
        assertEquals(List.of(run(lines.written(), BLOCK - 300, BLOCK - 101)), LogTruth.runs(dbFile));

        // Joined onto the last run while the segment and the block go on; a new run when either ends.
        lines.newSegment();
        for (AuditLog.WrittenRecord w : write(BLOCK - 100, BLOCK + 99)) {
            store(List.of(w));
        }
        List<AuditLog.WrittenRecord> all = lines.written();
        assertEquals(List.of(
                        run(all, BLOCK - 300, BLOCK - 101),
                        run(all, BLOCK - 100, BLOCK - 1),
                        run(all, BLOCK, BLOCK + 99)),
                LogTruth.runs(dbFile));

        // A batch that continues the last run and goes on into more runs extends it and adds the rest.
        List<AuditLog.WrittenRecord> more = new ArrayList<>(write(BLOCK + 100, BLOCK + 149));
        lines.newSegment();
        more.addAll(write(BLOCK + 150, BLOCK + 160));
        store(more);
        all = lines.written();
        assertEquals(List.of(
                        run(all, BLOCK - 300, BLOCK - 101),
                        run(all, BLOCK - 100, BLOCK - 1),
                        run(all, BLOCK, BLOCK + 149),
                        run(all, BLOCK + 150, BLOCK + 160)),
                LogTruth.runs(dbFile));
        assertFindsWhatTheLogHolds();
    }

    @Test
    void linesThatAreNotBackToBackAreSeparateRuns() {
        List<IndexRow> rows = List.of(row(10, 1, 0, 99), row(11, 1, 100, 49), row(12, 1, 200, 9), row(13, 1, 210, 9),
                row(15, 1, 220, 9));
        assertEquals(List.of(new Run(10, 11, 1, 0, 150), new Run(12, 13, 1, 200, 20), new Run(15, 15, 1, 220, 10)),
                RunTable.group(rows));
    }

    @Test
    void aRunWhoseSegmentIsGoneOrShorterIsAStaleIndex() throws Exception {
        store(write(1, 200));
        lines.newSegment();
        store(write(201, 400));
        Path first = auditDir.resolve(SegmentFiles.name(1));
        long size = Files.size(first);
        try (FileChannel channel = FileChannel.open(first, StandardOpenOption.WRITE)) {
            channel.truncate(size - 10);
        }
        StaleIndexException shorter = assertThrows(StaleIndexException.class, () -> find(AuditQuery.all().withLimit(1000)));
        assertTrue(shorter.getMessage().contains(SegmentFiles.name(1)), shorter.getMessage());
        // Every kind of scan notices: counting lines, and searching them for a value.
        assertThrows(StaleIndexException.class, () -> find(AuditQuery.all().withRepository("team/app1")));

        Files.delete(first);
        StaleIndexException gone = assertThrows(StaleIndexException.class, () -> find(AuditQuery.all()));
        assertTrue(gone.getMessage().contains("gone"), gone.getMessage());
        assertEquals(201L, find(AuditQuery.all().withAfterSeq(200L)).get(0).seq(), "the other segment still reads");
    }

    @Test
    void aQueryOverARunCutShortIsAnErrorNotAnAnswer() throws Exception {
        write(1, 300);
        lines.newSegment();
        write(301, 600);
        try (AuditIndex index = AuditIndex.open(root.resolve("audit-index.db"), auditDir)) {
            index.catchUp();
            Path first = auditDir.resolve(SegmentFiles.name(1));
            try (FileChannel channel = FileChannel.open(first, StandardOpenOption.WRITE)) {
                channel.truncate(channel.size() - 10);
            }
            // The scan finds the run short, the index rebuilds, and the rebuild finds the segment damaged.
            AuditIndexException e = assertThrows(AuditIndexException.class,
                    () -> index.query(AuditQuery.all().withRepository("team/app1")));
            assertTrue(e.getMessage().contains(SegmentFiles.name(1)), e.getMessage());
        }
    }

    @Test
    void afterAPurgeOnlyTheRecordsOfTheRemainingSegmentsAreFound() throws Exception {
        // Segments 1 and 2 end mid-block: block 1 has runs of a purged segment and of kept ones.
        write(1, 2999);
        lines.newSegment();
        write(3000, 4999);
        lines.newSegment();
        write(5000, 6999);
        lines.newSegment();
        write(7000, 9000);
        Path indexFile = root.resolve("audit-index.db");
        try (AuditIndex index = AuditIndex.open(indexFile, auditDir)) {
            assertEquals(9000, index.catchUp());
            // A purge deletes the oldest segments, as `POST /admin/audit/purge` does.
            Files.delete(auditDir.resolve(SegmentFiles.name(1)));
            Files.delete(auditDir.resolve(SegmentFiles.name(2)));
            assertEquals(0, index.catchUp(), "nothing to index, and no rebuild");

            assertEquals(5000L, LogTruth.runs(indexFile).get(0).firstSeq(), "the runs of the purged segments are gone");
            LogTruth truth = LogTruth.read(auditDir);
            assertEquals(5000L, truth.lines().get(0).record().seq());
            Instant start = Instant.parse("2024-03-01T00:00:00Z");
            for (AuditQuery query : List.of(AuditQuery.all(), AuditQuery.all().withRepository("team/app1"),
                    AuditQuery.all().withActor("user2").withStatus(404), AuditQuery.all().withAfterSeq(100L),
                    AuditQuery.all().withTimeRange(start, start.plusSeconds(60)),
                    AuditQuery.all().withUntil(start.plusSeconds(55)).withRepository("team/app3"))) {
                List<Long> found = new ArrayList<>();
                index.forEach(query, r -> found.add(r.seq()));
                List<Long> expected = truth.expected(query).stream().map(RecordLocation::seq).toList();
                assertEquals(expected, found, query.toString());
                assertTrue(found.isEmpty() || found.get(0) >= 5000, query.toString());
            }
        }
    }

    /** Writes records {@code from} to {@code to} into the current segment. */
    private List<AuditLog.WrittenRecord> write(long from, long to) throws IOException {
        List<AuditLog.WrittenRecord> written = new ArrayList<>();
        for (long seq = from; seq <= to; seq++) {
            int i = (int) seq;
            AuditEntry entry = new AuditEntry(AuditEntry.REQUEST, Instant.parse("2024-03-01T00:00:00Z").plusMillis(seq * 10),
                    null, "user" + i % 3, null, "GET", "/v2/team/app" + i % 4 + "/manifests/latest", "manifest.get",
                    "team/app" + i % 4, null, null, i % 9 == 0 ? 404 : 200, null, null, null, null, null);
            written.add(lines.append(seq, entry));
        }
        return written;
    }

    private void store(List<AuditLog.WrittenRecord> batch) throws Exception {
        store.append(batch.stream().map(SegmentLines::row).toList(), SegmentLines.position(batch.get(batch.size() - 1)));
    }

    /** The run of the written records {@code from} to {@code to}, which must be back to back in one segment. */
    private static Run run(List<AuditLog.WrittenRecord> written, long from, long to) {
        AuditLog.WrittenRecord first = written.stream().filter(w -> w.record().seq() == from).findFirst().orElseThrow();
        AuditLog.WrittenRecord last = written.stream().filter(w -> w.record().seq() == to).findFirst().orElseThrow();
        assertEquals(first.segment(), last.segment());
        return new Run(from, to, first.segment(), first.offset(), last.offset() + last.length() + 1 - first.offset());
    }

    private static IndexRow row(long seq, long segment, long offset, int length) {
        return new IndexRow(seq, 0, null, "manifest.get", null, null, "request",
                new RecordLocation(seq, segment, offset, length));
    }

    private List<RecordLocation> find(AuditQuery query) throws Exception {
        return IndexSearch.find(store.connection(), auditDir, query, query.limit());
    }

    /** Every record, and those of a filter, are found where the segments have them. */
    private void assertFindsWhatTheLogHolds() throws Exception {
        LogTruth truth = LogTruth.read(auditDir);
        for (AuditQuery query : List.of(AuditQuery.all(), AuditQuery.all().withRepository("team/app2"),
                AuditQuery.all().withActor("user1").withStatus(404))) {
            List<RecordLocation> found = new ArrayList<>();
            AuditQuery page = query.withLimit(AuditQuery.MAX_LIMIT);
            while (true) {
                List<RecordLocation> some = find(page);
                found.addAll(some);
                if (some.size() < page.limit()) {
                    break;
                }
                page = page.withAfterSeq(some.get(some.size() - 1).seq());
            }
            assertEquals(truth.expected(query), found, query.toString());
        }
    }
}
