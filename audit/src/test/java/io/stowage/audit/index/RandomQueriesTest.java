package io.stowage.audit.index;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditLog;
import io.stowage.audit.AuditRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many random queries against a log of several segments and blocks, each answer compared with a
 * brute-force filter of every record read back from the segments. The log mixes what the line
 * tests must get right: values that are a prefix of others ({@code team/app1}, {@code team/app10}),
 * values JSON escapes or that are not ASCII, absent values, events whose {@code detail} holds the
 * very text a filter looks for, and times out of seq order. It is indexed twice, both in batches
 * of one to a few records and of thousands: straight into a store (whose locations are compared)
 * and through an {@link AuditIndex} fed as the log's writer feeds it (whose pages are compared).
 */
class RandomQueriesTest {
    private static final long SEED = 20240601L;
    private static final int RECORDS = 14_000;
    private static final Instant BASE = Instant.parse("2024-03-01T00:00:00Z");
    private static final String[] REPOSITORIES = {"team/app1", "team/app10", "team/app2", "org/tools", "héllo/wörld",
            "odd\"name", null};
    private static final String[] ACTORS = {"alice", "bob", "carol", "registry", "dävid", "tab\there", null};
    private static final String[] ACTIONS = {"manifest.get", "blob.get", "manifest.put", "blob.upload", "tag.delete"};
    private static final Integer[] STATUSES = {200, 201, 404, 401, 500};

    @TempDir
    Path root;

    @Test
    void everyQueryFindsWhatAFilterOverTheWholeLogFinds() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED);
        Path auditDir = root.resolve("audit");
        SegmentLines lines = new SegmentLines(auditDir);
        try (IndexStore store = IndexStore.open(root.resolve("store.db"));
             AuditIndex index = AuditIndex.open(root.resolve("index.db"), auditDir)) {
            long seq = 1;
            long fromWriter = 0;
            long nextSegment = 1 + random.nextInt(1500, 4000);
            while (seq <= RECORDS) {
                int size = random.nextInt(80) == 0 ? random.nextInt(200, 5000) : random.nextInt(1, 4);
                List<AuditLog.WrittenRecord> batch = new ArrayList<>();
                for (int i = 0; i < size && seq <= RECORDS; i++, seq++) {
                    if (seq == nextSegment) {
                        lines.newSegment();
                        nextSegment += random.nextInt(1500, 4000);
                    }
                    batch.add(lines.append(seq, entry(random, seq)));
                }
                store.append(batch.stream().map(SegmentLines::row).toList(),
                        SegmentLines.position(batch.get(batch.size() - 1)));
                index.recordsDurable(batch);
                index.catchUp();
                fromWriter += index.lastCatchUpFromWriter();
            }
            assertEquals(0, index.catchUp());
            assertTrue(fromWriter > RECORDS / 2, "most rows came from the writer: " + fromWriter);

            LogTruth truth = LogTruth.read(auditDir);
            assertEquals(RECORDS, truth.lines().size());
            int fewest = fewestRuns(truth);
            assertEquals(fewest, LogTruth.runs(root.resolve("store.db")).size(), "as few runs as the lines allow");
            assertEquals(fewest, LogTruth.runs(root.resolve("index.db")).size(), "as few runs as the lines allow");
            List<AuditQuery> queries = new ArrayList<>();
            List<Instant> times = truth.lines().stream().map(l -> l.record().entry().time()).toList();
            for (int n = 0; n < 150; n++) {
                queries.add(randomQuery(random, times));
            }
            for (AuditQuery query : queries) {
                List<RecordLocation> expected = truth.expected(query);
                List<RecordLocation> found = IndexSearch.find(store.connection(), auditDir, query, query.limit());
                assertEquals(expected.subList(0, Math.min(expected.size(), query.limit())), found, query.toString());
                assertPagesFollow(index, query, expected, 8);
            }
            // Paged through everything: each filter alone (a thousand records a page), and some a few a page.
            Instant middle = BASE.plusMillis(RECORDS * 50L);
            for (AuditQuery query : List.of(AuditQuery.all(), AuditQuery.all().withRepository("team/app1"),
                    AuditQuery.all().withActor("dävid"), AuditQuery.all().withAction("tag.delete"),
                    AuditQuery.all().withStatus(500), AuditQuery.all().withUntil(middle.plusNanos(1)),
                    AuditQuery.all().withRepository("odd\"name").withActor("tab\there").withLimit(5),
                    AuditQuery.all().withActor("alice").withAction("tag.delete").withLimit(7),
                    AuditQuery.all().withStatus(404).withTimeRange(middle, middle.plusSeconds(300)).withLimit(11))) {
                AuditQuery paged = query.limit() == AuditQuery.DEFAULT_LIMIT ? query.withLimit(AuditQuery.MAX_LIMIT) : query;
                assertPagesFollow(index, paged, truth.expected(paged), Integer.MAX_VALUE);
            }
        }
    }

    /** One run per stretch of the log within one segment and block. */
    private static int fewestRuns(LogTruth truth) {
        int runs = 1;
        List<LogTruth.Line> lines = truth.lines();
        for (int i = 1; i < lines.size(); i++) {
            RecordLocation a = lines.get(i - 1).location();
            RecordLocation b = lines.get(i).location();
            if (a.segment() != b.segment() || IndexSchema.block(a.seq()) != IndexSchema.block(b.seq())) {
                runs++;
            }
        }
        return runs;
    }

    /** Pages through the query (up to {@code maxPages}) and compares them, and each page's {@code next}, with the expected seqs. */
    private static void assertPagesFollow(AuditIndex index, AuditQuery query, List<RecordLocation> expected,
                                          int maxPages) {
        List<Long> seqs = expected.stream().map(RecordLocation::seq).toList();
        AuditQuery page = query;
        int from = 0;
        for (int pages = 0; pages < maxPages; pages++) {
            AuditPage result = index.query(page);
            int to = Math.min(seqs.size(), from + query.limit());
            assertEquals(seqs.subList(from, to), result.records().stream().map(AuditRecord::seq).toList(),
                    page.toString());
            if (to == seqs.size()) {
                assertNull(result.next(), page.toString());
                return;
            }
            assertEquals(seqs.get(to - 1), result.next(), page.toString());
            page = page.withAfterSeq(result.next());
            from = to;
        }
    }

    private static AuditEntry entry(SplittableRandom random, long seq) {
        String repository = pick(random, REPOSITORIES);
        String actor = pick(random, ACTORS);
        String action = pick(random, ACTIONS);
        // Times step 100 ms but lag by up to 3 s, so they are not in seq order; some have nanoseconds (dropped in the line).
        Instant time = BASE.plusMillis(seq * 100 - random.nextInt(3000)).plusNanos(random.nextInt(3) == 0
                ? random.nextInt(1_000_000_000) : 0);
        if (random.nextInt(10) == 0) {
            // An event: no status, and a detail that holds the text of values it does not have.
            Map<String, Object> detail = Map.of("repository", "team/app1", "actor", "alice", "status", 500,
                    "note", "\"action\":\"tag.delete\"");
            return AuditEntry.event(time, action, actor, repository, null, null, detail);
        }
        return new AuditEntry(AuditEntry.REQUEST, time, "req-" + seq, actor, "10.0.0.1", "GET",
                "/v2/" + repository + "/manifests/latest", action, repository, "latest", null, pick(random, STATUSES),
                null, 512L, 3L, null, null);
    }

    private static AuditQuery randomQuery(SplittableRandom random, List<Instant> times) {
        AuditQuery q = AuditQuery.all();
        if (random.nextInt(3) == 0) {
            q = q.withRepository(random.nextInt(8) == 0 ? "no/such" : pickPresent(random, REPOSITORIES));
        }
        if (random.nextInt(3) == 0) {
            q = q.withActor(pickPresent(random, ACTORS));
        }
        if (random.nextInt(4) == 0) {
            q = q.withAction(pick(random, ACTIONS));
        }
        if (random.nextInt(4) == 0) {
            q = q.withStatus(pick(random, STATUSES));
        }
        switch (random.nextInt(4)) {
            case 0 -> q = q.withSince(instant(random, times));
            case 1 -> q = q.withUntil(instant(random, times));
            case 2 -> {
                Instant since = instant(random, times);
                Instant until = instant(random, times);
                if (until.isBefore(since)) {
                    Instant t = since;
                    since = until;
                    until = t;
                }
                q = until.equals(since) ? q.withSince(since) : q.withTimeRange(since, until);
            }
            default -> {
            }
        }
        if (random.nextBoolean()) {
            q = q.withAfterSeq(random.nextLong(RECORDS + 10));
        }
        int[] limits = {1, 2, 5, 37, 100, 1000};
        return q.withLimit(limits[random.nextInt(limits.length)]);
    }

    /**
     * A bound for a time range: a record's time exactly, or a nanosecond or a microsecond either
     * side of one (where rounding to microseconds decides), or any time around the log's span.
     */
    private static Instant instant(SplittableRandom random, List<Instant> times) {
        Instant t = times.get(random.nextInt(times.size()));
        return switch (random.nextInt(6)) {
            case 0 -> t;
            case 1 -> t.plusNanos(1);
            case 2 -> t.minusNanos(1);
            case 3 -> t.plusNanos(1000);
            case 4 -> t.minusNanos(999);
            default -> BASE.plusMillis(random.nextLong(-5000, RECORDS * 100L + 5000))
                    .plusNanos(random.nextBoolean() ? 0 : random.nextInt(1_000_000_000));
        };
    }

    private static <T> T pick(SplittableRandom random, T[] values) {
        return values[random.nextInt(values.length)];
    }

    private static String pickPresent(SplittableRandom random, String[] values) {
        String value;
        do {
            value = pick(random, values);
        } while (value == null);
        return value;
    }
}
