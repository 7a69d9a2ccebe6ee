package io.stowage.audit.index;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which blocks a filter value is found in, at the edges the memo of noted values must not skip. */
class ValueBlocksTest {
    private static final long BLOCK = 1L << IndexSchema.BLOCK_BITS;

    @TempDir
    Path dir;

    @Test
    void aValueThatRunsOnIntoTheNextBlockIsFoundThereToo() throws Exception {
        Path auditDir = dir.resolve("audit");
        SegmentLines lines = new SegmentLines(auditDir);
        try (IndexStore store = IndexStore.open(dir.resolve("index.db"))) {
            List<IndexRow> rows = new ArrayList<>();
            // Block 0 ends, and block 1 starts, with a run of records alike in every filter value.
            for (long seq = BLOCK - 3; seq <= BLOCK + 2; seq++) {
                rows.add(row(lines, seq, "team/app", "alice", 200));
            }
            rows.add(row(lines, BLOCK + 3, "team/other", "bob", 404));
            List<AuditLog.WrittenRecord> written = lines.written();
            store.append(rows.subList(0, 3), SegmentLines.position(written.get(2)));
            store.append(rows.subList(3, rows.size()), SegmentLines.position(written.get(written.size() - 1)));

            AuditQuery inBlockOne = AuditQuery.all().withAfterSeq(BLOCK - 1);
            assertEquals(List.of(BLOCK, BLOCK + 1, BLOCK + 2), seqs(store, auditDir, inBlockOne.withRepository("team/app")));
            assertEquals(List.of(BLOCK, BLOCK + 1, BLOCK + 2), seqs(store, auditDir, inBlockOne.withActor("alice")));
            assertEquals(List.of(BLOCK, BLOCK + 1, BLOCK + 2), seqs(store, auditDir, inBlockOne.withStatus(200)));
            assertEquals(List.of(BLOCK + 3), seqs(store, auditDir, inBlockOne.withRepository("team/other").withStatus(404)));
            assertEquals(List.of(BLOCK - 3, BLOCK - 2, BLOCK - 1, BLOCK, BLOCK + 1, BLOCK + 2),
                    seqs(store, auditDir, AuditQuery.all().withAction("manifest.get").withActor("alice")));
        }
    }

    /** Writes the record's line and returns its row, as catch-up would read it. */
    private static IndexRow row(SegmentLines lines, long seq, String repository, String actor, int status)
            throws Exception {
        AuditEntry entry = new AuditEntry(AuditEntry.REQUEST, Instant.EPOCH.plusSeconds(1_700_000_000L).plusNanos(seq * 1000),
                null, actor, null, "GET", "/v2/" + repository + "/manifests/latest", "manifest.get", repository, null,
                null, status, null, null, null, null, null);
        return SegmentLines.row(lines.append(seq, entry));
    }

    private static List<Long> seqs(IndexStore store, Path auditDir, AuditQuery query) throws Exception {
        return IndexSearch.find(store.connection(), auditDir, query, 100).stream().map(RecordLocation::seq).toList();
    }
}
