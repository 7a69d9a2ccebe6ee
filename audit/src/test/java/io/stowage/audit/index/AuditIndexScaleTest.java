package io.stowage.audit.index;

import io.stowage.audit.AuditRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A million records: how long indexing takes and how long filtered queries take, printed for
 * the record (timings depend on the machine, so only correctness is asserted). The record count
 * can be lowered with {@code -Daudit.index.scale.records=N}.
 */
class AuditIndexScaleTest {
    private static final int RECORDS = Integer.getInteger("audit.index.scale.records", 1_000_000);

    @TempDir
    Path root;

    @Test
    void indexesAMillionRecordsAndAnswersFilteredQueriesFromIt() throws IOException {
        Path auditDir = root.resolve("audit");
        long started = System.nanoTime();
        SyntheticLog log = SyntheticLog.write(auditDir, RECORDS, 32L * 1024 * 1024);
        long segmentBytes = 0;
        try (var files = Files.list(auditDir)) {
            for (Path f : files.toList()) {
                segmentBytes += Files.size(f);
            }
        }
        report("wrote %,d records (%,d MB of segments) in %,d ms", RECORDS, segmentBytes >> 20, millis(started));

        Path dbFile = root.resolve("audit-index.db");
        try (AuditIndex index = AuditIndex.open(dbFile, auditDir)) {
            started = System.nanoTime();
            assertEquals(RECORDS, index.catchUp());
            report("catchUp indexed %,d records in %,d ms (database %,d MB)", RECORDS, millis(started),
                    Files.size(dbFile) >> 20);

            started = System.nanoTime();
            assertEquals(0, index.catchUp());
            report("catchUp with nothing new: %.2f ms", micros(started) / 1000.0);

            Instant mid = SyntheticLog.BASE.plusSeconds(RECORDS / 40);
            long midMicros = Micros.floor(mid);
            long hourMicros = 3_600_000_000L;
            check(index, log, "repository (busy), first page", AuditQuery.all().withRepository(SyntheticLog.repositoryName(3)),
                    i -> log.repository[i] == 3);
            check(index, log, "repository (rare), first page", AuditQuery.all().withRepository(SyntheticLog.repositoryName(987)),
                    i -> log.repository[i] == 987);
            check(index, log, "repository, page deep in the log", AuditQuery.all().withRepository(SyntheticLog.repositoryName(3))
                    .withAfterSeq(RECORDS * 9L / 10), i -> log.repository[i] == 3);
            check(index, log, "repository that does not exist", AuditQuery.all().withRepository("no/such"), i -> false);
            check(index, log, "actor", AuditQuery.all().withActor(SyntheticLog.actorName(250)),
                    i -> log.actor[i] == 250);
            check(index, log, "action (rare)", AuditQuery.all().withAction("blob.delete").withLimit(1000),
                    i -> SyntheticLog.ACTIONS[log.action[i]].equals("blob.delete"));
            check(index, log, "status 500 (0.1%)", AuditQuery.all().withStatus(500).withLimit(1000),
                    i -> log.status[i] == 500);
            check(index, log, "one minute in the middle", AuditQuery.all().withTimeRange(mid, mid.plusSeconds(60)),
                    i -> log.timeMicros[i] >= midMicros && log.timeMicros[i] < midMicros + 60_000_000L);
            check(index, log, "since the middle", AuditQuery.all().withSince(mid), i -> log.timeMicros[i] >= midMicros);
            check(index, log, "repository + one hour", AuditQuery.all().withRepository(SyntheticLog.repositoryName(42))
                            .withTimeRange(mid, mid.plusSeconds(3600)),
                    i -> log.repository[i] == 42 && log.timeMicros[i] >= midMicros && log.timeMicros[i] < midMicros + hourMicros);
            check(index, log, "actor + status 404", AuditQuery.all().withActor(SyntheticLog.actorName(5)).withStatus(404),
                    i -> log.actor[i] == 5 && log.status[i] == 404);
            check(index, log, "repository + actor (both busy, rare together)", AuditQuery.all()
                            .withRepository(SyntheticLog.repositoryName(7)).withActor(SyntheticLog.actorName(290)),
                    i -> log.repository[i] == 7 && log.actor[i] == 290);
            check(index, log, "everything, last page", AuditQuery.all().withAfterSeq(RECORDS - 50L), i -> true);

            Instant from = mid;
            Instant to = mid.plusSeconds(3600);
            started = System.nanoTime();
            long[] exported = new long[1];
            index.forEach(AuditQuery.all().withTimeRange(from, to), r -> exported[0]++);
            long expectedExport = log.expected(i -> log.timeMicros[i] >= midMicros && log.timeMicros[i] < midMicros + hourMicros,
                    0, RECORDS).length;
            assertEquals(expectedExport, exported[0]);
            report("forEach export of one hour: %,d records in %,d ms", exported[0], millis(started));
        }
    }

    /** Runs the query twice (cold, then warm), checks it against the arrays, prints both times. */
    private static void check(AuditIndex index, SyntheticLog log, String name, AuditQuery query, IntPredicate match) {
        long started = System.nanoTime();
        AuditPage page = index.query(query);
        long cold = micros(started);
        started = System.nanoTime();
        index.query(query);
        long warm = micros(started);
        long after = query.afterSeq() == null ? 0 : query.afterSeq();
        long[] expected = log.expected(match, after, query.limit() + 1);
        List<AuditRecord> records = page.records();
        long[] got = records.stream().mapToLong(AuditRecord::seq).toArray();
        assertArrayEquals(java.util.Arrays.copyOf(expected, Math.min(expected.length, query.limit())), got, name);
        assertEquals(expected.length > query.limit() ? Long.valueOf(got[got.length - 1]) : null, page.next(), name);
        report("query %-48s %4d records  first %7.2f ms  again %7.2f ms", name, got.length, cold / 1000.0, warm / 1000.0);
    }

    private static long millis(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }

    private static long micros(long started) {
        return (System.nanoTime() - started) / 1_000;
    }

    private static void report(String format, Object... args) {
        System.out.println("[audit-index scale] " + String.format(format, args));
    }
}
