package io.stowage.audit.index;

import io.stowage.audit.AuditRecord;
import io.stowage.audit.RecordCodec;
import io.stowage.audit.SegmentFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditIndexTest {
    @TempDir
    Path root;
    private LogFixture log;
    private Path dbFile;
    private AuditIndex index;

    @BeforeEach
    void setUp() throws IOException {
        log = new LogFixture(root);
        dbFile = root.resolve("data/audit-index.db");
        index = AuditIndex.open(dbFile, log.auditDir);
    }

    @AfterEach
    void tearDown() {
        index.close();
        log.close();
    }

    @Test
    void eachFilterFindsWhatAScanOfTheSegmentsFinds() throws IOException {
        log.append(1500);
        Instant since = LogFixture.BASE.plusSeconds(100).plusNanos(500);
        List<AuditQuery> queries = List.of(
                AuditQuery.all(),
                AuditQuery.all().withRepository("team/app3"),
                AuditQuery.all().withActor("user5"),
                AuditQuery.all().withActor("registry"),
                AuditQuery.all().withAction("manifest.put"),
                AuditQuery.all().withStatus(404),
                AuditQuery.all().withSince(since),
                AuditQuery.all().withUntil(since),
                AuditQuery.all().withTimeRange(since, LogFixture.BASE.plusSeconds(400)),
                AuditQuery.all().withRepository("team/app1").withAction("blob.upload").withStatus(201),
                AuditQuery.all().withRepository("team/app2").withActor("user3")
                        .withTimeRange(LogFixture.BASE.plusSeconds(200), LogFixture.BASE.plusSeconds(1200)),
                AuditQuery.all().withRepository("no/such/repository"),
                AuditQuery.all().withTimeRange(Instant.parse("2001-01-01T00:00:00Z"), Instant.parse("2002-01-01T00:00:00Z")),
                AuditQuery.all().withAction("checkpoint"),
                AuditQuery.all().withRepository("team/app4").withAfterSeq(700L),
                AuditQuery.all().withAfterSeq(Long.MAX_VALUE));
        for (AuditQuery query : queries) {
            assertEquals(log.expected(query), seqs(allPages(query.withLimit(37))), query.toString());
        }
    }

    @Test
    void pagesFollowEachOtherWithoutGapsOrDuplicates() throws IOException {
        log.append(1000);
        List<AuditRecord> truth = log.scan();
        List<AuditRecord> paged = new ArrayList<>();
        AuditQuery query = AuditQuery.all().withLimit(100);
        int pages = 0;
        while (true) {
            AuditPage page = index.query(query);
            pages++;
            assertTrue(page.records().size() <= 100);
            paged.addAll(page.records());
            if (page.next() == null) {
                break;
            }
            assertEquals(page.records().get(page.records().size() - 1).seq(), page.next());
            query = query.withAfterSeq(page.next());
        }
        assertEquals(truth.size(), paged.size());
        for (int i = 0; i < truth.size(); i++) {
            assertEquals(i + 1, paged.get(i).seq(), "gap-free from 1");
            assertArrayEquals(RecordCodec.line(truth.get(i)), RecordCodec.line(paged.get(i)), "record " + (i + 1));
        }
        assertEquals((truth.size() + 99) / 100, pages);
    }

    @Test
    void aPageThatEndsExactlyAtTheLastMatchSaysThereIsNoMore() throws IOException {
        log.append(50);
        long matches = log.expected(AuditQuery.all().withRepository("team/app0")).size();
        AuditPage page = index.query(AuditQuery.all().withRepository("team/app0").withLimit((int) matches));
        assertEquals(matches, page.records().size());
        assertNull(page.next());
    }

    @Test
    void catchUpIndexesOnlyWhatIsNewAcrossNewSegments() throws IOException {
        log.append(300);
        assertEquals(log.scan().size(), index.catchUp());
        assertEquals(0, index.catchUp());

        int segmentsBefore = SegmentFiles.list(log.auditDir).size();
        int before = log.scan().size();
        List<AuditRecord> added = log.append(2000);
        assertTrue(SegmentFiles.list(log.auditDir).size() >= segmentsBefore + 3, "the appends span several segments");
        assertEquals(log.scan().size() - before, index.catchUp());
        assertEquals(0, index.catchUp());

        AuditRecord last = added.get(added.size() - 1);
        AuditPage page = index.query(AuditQuery.all().withAfterSeq(last.seq() - 1).withLimit(1));
        assertEquals(last.hash(), page.records().get(0).hash());
    }

    @Test
    void rowsHandedOverByTheWriterIndexExactlyWhatTheSegmentsSay() throws IOException {
        log.feed(index);
        log.append(200);
        long first = index.catchUp();
        assertEquals(log.scan().size(), first, "the first catch-up fills the empty index from the files");
        log.append(3000);
        long added = index.catchUp();
        assertTrue(SegmentFiles.list(log.auditDir).size() > 3, "the hand-over spans rotations");
        assertTrue(index.lastCatchUpFromWriter() > 0 && index.lastCatchUpFromWriter() <= added,
                "rows came from the writer: " + index.lastCatchUpFromWriter() + " of " + added);
        assertEquals(log.scan().size(), first + added, "each record indexed once, whether handed over or read");

        // The same log indexed from the segments alone must answer every query the same.
        try (AuditIndex fromFiles = AuditIndex.open(root.resolve("other-index.db"), log.auditDir)) {
            fromFiles.catchUp();
            for (AuditQuery query : List.of(AuditQuery.all(), AuditQuery.all().withRepository("team/app2"),
                    AuditQuery.all().withActor("user4").withStatus(404), AuditQuery.all().withAction("checkpoint"),
                    AuditQuery.all().withSince(LogFixture.BASE.plusSeconds(1500)))) {
                List<AuditRecord> fed = allPages(query.withLimit(500));
                assertEquals(log.expected(query), seqs(fed), query.toString());
                List<AuditRecord> read = new ArrayList<>();
                fromFiles.forEach(query, read::add);
                assertEquals(read.size(), fed.size(), query.toString());
                for (int i = 0; i < read.size(); i++) {
                    assertArrayEquals(RecordCodec.line(read.get(i)), RecordCodec.line(fed.get(i)), query + " #" + i);
                }
            }
        }
        // A later catch-up after a rebuild ignores what was handed over before it.
        index.rebuild();
        log.append(10);
        index.catchUp();
        assertEquals(log.expected(AuditQuery.all()), seqs(allPages(AuditQuery.all().withLimit(1000))));
    }

    @Test
    void queriesCatchUpThemselves() {
        log.append(10);
        List<AuditRecord> added = log.append(5);
        // Records of reads may be written after a later change (they never wake the writer): compare as sets.
        long first = added.stream().mapToLong(AuditRecord::seq).min().orElseThrow();
        AuditPage page = index.query(AuditQuery.all().withAfterSeq(first - 1).withLimit(5));
        assertEquals(added.stream().map(AuditRecord::hash).collect(java.util.stream.Collectors.toSet()),
                page.records().stream().map(AuditRecord::hash).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void rebuildsWhenTheDatabaseIsDeleted() throws IOException {
        log.append(800);
        AuditQuery query = AuditQuery.all().withActor("user2").withLimit(1000);
        List<Long> before = seqs(index.query(query).records());
        index.close();
        for (String suffix : List.of("", "-wal", "-shm")) {
            Files.deleteIfExists(dbFile.resolveSibling(dbFile.getFileName() + suffix));
        }
        index = AuditIndex.open(dbFile, log.auditDir);
        assertEquals(before, seqs(index.query(query).records()));
        assertEquals(log.expected(query), before);
    }

    @Test
    void rebuildsWhenTheLogIsNotTheOneIndexed() throws IOException {
        log.append(400);
        index.catchUp();
        log.close();
        // Another log in the same place: same file names, different records.
        for (Path segment : SegmentFiles.list(log.auditDir)) {
            Files.delete(segment);
        }
        log.open();
        log.append(50);
        assertEquals(log.scan().size(), index.catchUp(), "everything indexed again");
        assertEquals(log.expected(AuditQuery.all().withLimit(1000)), seqs(allPages(AuditQuery.all())));
    }

    @Test
    void forgetsSegmentsThatWerePurgedWithoutRebuilding() throws IOException {
        log.append(1500);
        log.close();
        index.catchUp();
        List<Path> segments = SegmentFiles.list(log.auditDir);
        assertTrue(segments.size() > 4);
        Files.delete(segments.get(0));
        Files.delete(segments.get(1));

        assertEquals(0, index.catchUp(), "nothing to index, and no rebuild");
        List<Long> all = seqs(allPages(AuditQuery.all().withLimit(1000)));
        assertEquals(log.scan().stream().map(AuditRecord::seq).toList(), all);
        assertEquals(SegmentFiles.readAll(segments.get(2)).size() > 0
                ? RecordCodec.fromMap(RecordCodec.parse(SegmentFiles.readAll(segments.get(2)).get(0).bytes())).seq()
                : -1, all.get(0));
    }

    @Test
    void stopsAtALineThatIsStillBeingWritten() throws IOException {
        log.append(20);
        log.close();
        index.catchUp();
        List<AuditRecord> truth = log.scan();
        AuditRecord last = truth.get(truth.size() - 1);
        AuditRecord next = RecordCodec.seal(last.seq() + 1, null, LogFixture.entry(9999), last.hash());
        byte[] line = RecordCodec.line(next);
        List<Path> segments = SegmentFiles.list(log.auditDir);
        Path newest = segments.get(segments.size() - 1);

        appendBytes(newest, Arrays.copyOf(line, line.length / 2));
        assertEquals(0, index.catchUp());
        appendBytes(newest, Arrays.copyOfRange(line, line.length / 2, line.length));
        assertEquals(0, index.catchUp(), "still no newline");
        appendBytes(newest, new byte[]{'\n'});
        assertEquals(1, index.catchUp());

        AuditPage page = index.query(AuditQuery.all().withAfterSeq(last.seq()));
        assertEquals(List.of(next.hash()), page.records().stream().map(AuditRecord::hash).toList());
        log.open();
    }

    @Test
    void forEachExportsATimeRangeInOrder() throws IOException {
        log.append(2500);
        AuditQuery range = AuditQuery.all().withTimeRange(LogFixture.BASE.plusSeconds(250), LogFixture.BASE.plusSeconds(2400));
        List<Long> exported = new ArrayList<>();
        index.forEach(range.withLimit(1), record -> exported.add(record.seq()));
        assertEquals(log.expected(range), exported);
        assertEquals(2150, exported.size());
    }

    @Test
    void rejectsInvalidQueryValues() {
        AuditQuery all = AuditQuery.all();
        Instant t = LogFixture.BASE;
        assertRejected("limit", () -> all.withLimit(0));
        assertRejected("limit", () -> all.withLimit(1001));
        assertRejected("status", () -> all.withStatus(99));
        assertRejected("status", () -> all.withStatus(600));
        assertRejected("afterSeq", () -> all.withAfterSeq(-1L));
        assertRejected("since", () -> all.withTimeRange(t.plusSeconds(1), t));
        assertRejected("since", () -> all.withTimeRange(t, t));
        assertRejected("repository", () -> all.withRepository(" "));
        assertRejected("actor", () -> all.withActor(""));
        assertRejected("action", () -> all.withAction("x".repeat(2000)));
        assertEquals(AuditQuery.DEFAULT_LIMIT, all.limit());
    }

    @Test
    void queriesAnswerCorrectlyWhileTheLogGrowsAndOthersCatchUp() throws Exception {
        log.append(200);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> work = new ArrayList<>();
            work.add(pool.submit(() -> log.append(1500)));
            work.add(pool.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    index.catchUp();
                }
            }));
            for (int t = 0; t < 2; t++) {
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 30; i++) {
                        List<AuditRecord> records = allPages(AuditQuery.all().withRepository("team/app1").withLimit(200));
                        Set<Long> seen = new HashSet<>();
                        for (AuditRecord r : records) {
                            assertEquals("team/app1", r.entry().repository());
                            assertTrue(seen.add(r.seq()));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        AuditQuery query = AuditQuery.all().withRepository("team/app1");
        assertEquals(log.expected(query), seqs(allPages(query)));
    }

    @Test
    void reportsAnOlderSegmentThatEndsMidRecordAsDamage() throws IOException {
        log.append(1000);
        log.close();
        List<Path> segments = SegmentFiles.list(log.auditDir);
        appendBytes(segments.get(1), "{\"seq\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        AuditIndexException e = assertThrows(AuditIndexException.class, () -> index.catchUp());
        assertTrue(e.getMessage().contains(segments.get(1).getFileName().toString()), e.getMessage());
        log.open();
    }

    @Test
    void reportsALineThatIsNotARecordAsDamage() throws IOException {
        log.append(10);
        log.close();
        List<Path> segments = SegmentFiles.list(log.auditDir);
        appendBytes(segments.get(segments.size() - 1), "not json\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        AuditIndexException e = assertThrows(AuditIndexException.class, () -> index.catchUp());
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
        // Repaired (here: cut back), the index carries on.
        Path newest = segments.get(segments.size() - 1);
        try (FileChannel channel = FileChannel.open(newest, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - "not json\n".length());
        }
        assertEquals(log.scan().size(), index.catchUp());
        log.open();
    }

    @Test
    void closedIndexRefusesWork() {
        index.close();
        assertThrows(IllegalStateException.class, () -> index.catchUp());
        assertThrows(IllegalStateException.class, () -> index.query(AuditQuery.all()));
    }

    private List<AuditRecord> allPages(AuditQuery query) {
        List<AuditRecord> records = new ArrayList<>();
        AuditQuery page = query;
        while (true) {
            AuditPage result = index.query(page);
            records.addAll(result.records());
            if (result.next() == null) {
                return records;
            }
            page = page.withAfterSeq(result.next());
        }
    }

    private static List<Long> seqs(List<AuditRecord> records) {
        return records.stream().map(AuditRecord::seq).toList();
    }

    private static void assertRejected(String mentioned, org.junit.jupiter.api.function.Executable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage().contains(mentioned), e.getMessage());
    }

    private static void appendBytes(Path file, byte[] bytes) throws IOException {
        file.toFile().setWritable(true);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            channel.write(ByteBuffer.wrap(bytes));
        }
    }
}
