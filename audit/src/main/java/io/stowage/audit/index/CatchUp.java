package io.stowage.audit.index;

import io.stowage.audit.AuditRecord;
import io.stowage.audit.MalformedRecordException;
import io.stowage.audit.SegmentFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Brings the index up to the end of the log: reads the lines appended since the stored position,
 * in the position's segment and every newer one, and commits them in batches, each batch moving
 * the position with it (so an interrupted catch-up resumes where it stopped). It stops at a last
 * line without its newline: that record is still being written.
 *
 * <p>Before trusting the stored index it checks it against the segments: the position's segment
 * must exist and its last indexed line must still be the record with the stored hash, and every
 * indexed segment that is gone must be older than the oldest present one (a purge), whose rows
 * are then dropped. Anything else, or a sequence that does not continue, is a
 * {@link StaleIndexException}: the caller rebuilds. Starting from an empty index, the same faults
 * mean the log itself is damaged, reported as an {@link AuditIndexException}.
 */
final class CatchUp {
    /** How many times one catch-up takes what the writer handed over before reading the file's tail. */
    private static final int FED_ROUNDS = 4;

    private final Path directory;
    private final IndexStore store;
    private final FedRows fed;
    private final int batchSize;
    /** How many records the last run took from the writer's hand-over rather than the file; for tests. */
    private long lastFromWriter;

    CatchUp(Path directory, IndexStore store, FedRows fed, int batchSize) {
        this.directory = directory;
        this.store = store;
        this.fed = fed;
        this.batchSize = batchSize;
    }

    long lastFromWriter() {
        return lastFromWriter;
    }

    /** Indexes what is new; returns how many records that was. */
    long run() throws IOException, SQLException {
        TreeMap<Long, Path> present = new TreeMap<>();
        for (Path segment : SegmentFiles.list(directory)) {
            present.put(SegmentFiles.number(segment.getFileName().toString()), segment);
        }
        Optional<IndexPosition> stored = store.position();
        long fromWriter = 0;
        if (stored.isPresent()) {
            check(stored.get(), present);
            // Storing takes a while and the writer hands over more meanwhile: take those too (a few
            // rounds), so the file read after this is only the short unsynced tail.
            IndexPosition position = stored.get();
            for (int round = 0; round < FED_ROUNDS; round++) {
                List<FedRows.Fed> rows = fed.drainAfter(position.lastSeq());
                if (rows.isEmpty()) {
                    break;
                }
                position = storeFed(position, rows);
                fromWriter += rows.size();
            }
            stored = Optional.of(position);
            lastFromWriter = fromWriter;
        } else {
            // An empty index is filled from the segments in bulk; what the writer handed over is among them.
            fed.clear();
        }
        Batch batch = new Batch(stored.orElse(null));
        readFrom(batch, stored, present);
        return fromWriter + batch.finish();
    }

    /**
     * Stores rows the log's writer handed over, which continue the index at {@code position}, in
     * batches that each move the position; returns the new position. The file read after this
     * then only picks up what was written since the writer's last fsync.
     */
    private IndexPosition storeFed(IndexPosition position, List<FedRows.Fed> rows) throws SQLException {
        IndexPosition current = position;
        for (int from = 0; from < rows.size(); from += batchSize) {
            List<FedRows.Fed> batch = rows.subList(from, Math.min(rows.size(), from + batchSize));
            FedRows.Fed last = batch.get(batch.size() - 1);
            current = new IndexPosition(last.row().location(), last.hash());
            store.append(batch.stream().map(FedRows.Fed::row).toList(), current);
        }
        return current;
    }

    /**
     * Reads the rest of the position's segment, then the newer ones. Only the newest segment may
     * end in a line still being written: the log starts a segment after the last one's records
     * are complete, and the listing was taken before reading, so an older one ending mid-record
     * is damage.
     */
    private static void readFrom(Batch batch, Optional<IndexPosition> stored, TreeMap<Long, Path> present)
            throws IOException, SQLException {
        TreeMap<Long, Long> starts = new TreeMap<>();
        stored.ifPresent(p -> starts.put(p.segment(), p.endOffset()));
        long after = stored.map(IndexPosition::segment).orElse(Long.MIN_VALUE);
        present.tailMap(after, false).keySet().forEach(number -> starts.put(number, 0L));
        for (var start : starts.entrySet()) {
            long number = start.getKey();
            if (!batch.read(number, present.get(number), start.getValue())) {
                if (number != present.lastKey()) {
                    throw new AuditIndexException("the audit log is damaged: " + SegmentFiles.name(number)
                            + " ends in an incomplete record, but newer segments exist; run `registry audit verify`");
                }
                return;
            }
        }
    }

    private void check(IndexPosition position, TreeMap<Long, Path> present) throws IOException, SQLException {
        if (!present.containsKey(position.segment())) {
            throw new StaleIndexException("the index continues in " + SegmentFiles.name(position.segment())
                    + ", which is gone");
        }
        try (SegmentReader reader = new SegmentReader(directory)) {
            AuditRecord last = reader.read(position.last());
            if (!last.hash().equals(position.lastHash())) {
                throw new StaleIndexException("record " + position.lastSeq() + " is not the one that was indexed");
            }
        }
        long oldest = present.firstKey();
        boolean purged = false;
        for (long indexed : store.segments().keySet()) {
            if (!present.containsKey(indexed)) {
                if (indexed > oldest) {
                    throw new StaleIndexException("indexed segment " + SegmentFiles.name(indexed) + " is gone, "
                            + "but older ones are not");
                }
                purged = true;
            }
        }
        if (purged) {
            store.forgetSegmentsBefore(oldest);
        }
    }

    /** The rows read but not yet committed, and what the next line's seq must be. */
    private final class Batch {
        private final boolean fresh;
        private final List<IndexRow> rows = new ArrayList<>(batchSize);
        private IndexPosition position;
        private long count;

        Batch(IndexPosition start) {
            this.fresh = start == null;
            this.position = start;
        }

        /** Indexes the lines of one segment from {@code offset}; false when it ended in an incomplete line. */
        boolean read(long number, Path segment, long offset) throws IOException, SQLException {
            boolean complete = LineScanner.scan(segment, offset, (line, lineOffset) -> {
                RowParser.Parsed parsed = parse(number, line, lineOffset);
                long seq = parsed.row().seq();
                if (position != null && seq != position.lastSeq() + 1) {
                    String gap = "the sequence jumps from " + position.lastSeq() + " to " + seq + " at byte "
                            + lineOffset + " of " + SegmentFiles.name(number);
                    throw fresh ? new AuditIndexException("the audit log is damaged: " + gap
                            + "; run `registry audit verify`") : new StaleIndexException(gap);
                }
                rows.add(parsed.row());
                position = new IndexPosition(parsed.row().location(), parsed.hash());
                if (rows.size() >= batchSize) {
                    flush();
                }
            });
            flush();
            return complete;
        }

        long finish() throws IOException {
            flush();
            return count;
        }

        private void flush() throws IOException {
            if (rows.isEmpty()) {
                return;
            }
            try {
                store.append(rows, position);
            } catch (SQLException e) {
                throw new IOException("cannot write the audit index: " + e.getMessage(), e);
            }
            count += rows.size();
            rows.clear();
        }

        private RowParser.Parsed parse(long number, byte[] line, long lineOffset) {
            try {
                return RowParser.parse(line, number, lineOffset);
            } catch (MalformedRecordException e) {
                throw new AuditIndexException("the audit log is damaged at byte " + lineOffset + " of "
                        + SegmentFiles.name(number) + " (" + e.getMessage() + "); run `registry audit verify`");
            }
        }
    }
}
