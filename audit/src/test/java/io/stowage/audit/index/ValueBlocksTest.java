package io.stowage.audit.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
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
        try (IndexStore store = IndexStore.open(dir.resolve("index.db"))) {
            List<IndexRow> rows = new ArrayList<>();
            // Block 0 ends, and block 1 starts, with a run of records alike in every filter value.
            for (long seq = BLOCK - 3; seq <= BLOCK + 2; seq++) {
                rows.add(row(seq, "team/app", "alice", 200));
            }
            rows.add(row(BLOCK + 3, "team/other", "bob", 404));
            store.append(rows.subList(0, 3), position(rows.get(2)));
            store.append(rows.subList(3, rows.size()), position(rows.get(rows.size() - 1)));

            AuditQuery inBlockOne = AuditQuery.all().withAfterSeq(BLOCK - 1);
            assertEquals(List.of(BLOCK, BLOCK + 1, BLOCK + 2), seqs(store, inBlockOne.withRepository("team/app")));
            assertEquals(List.of(BLOCK, BLOCK + 1, BLOCK + 2), seqs(store, inBlockOne.withActor("alice")));
            assertEquals(List.of(BLOCK, BLOCK + 1, BLOCK + 2), seqs(store, inBlockOne.withStatus(200)));
            assertEquals(List.of(BLOCK + 3), seqs(store, inBlockOne.withRepository("team/other").withStatus(404)));
            assertEquals(List.of(BLOCK - 3, BLOCK - 2, BLOCK - 1, BLOCK, BLOCK + 1, BLOCK + 2),
                    seqs(store, AuditQuery.all().withAction("manifest.get").withActor("alice")));
        }
    }

    private static IndexRow row(long seq, String repository, String actor, int status) {
        return new IndexRow(seq, 1_700_000_000_000_000L + seq, actor, "manifest.get", repository, status, "request",
                new RecordLocation(seq, 1, seq * 100, 99));
    }

    private static IndexPosition position(IndexRow last) {
        return new IndexPosition(last.location(), "hash-" + last.seq());
    }

    private static List<Long> seqs(IndexStore store, AuditQuery query) throws Exception {
        return IndexSearch.find(store.connection(), query, 100).stream().map(RecordLocation::seq).toList();
    }
}
