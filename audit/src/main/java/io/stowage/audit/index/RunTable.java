package io.stowage.audit.index;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code runs} table: where the lines of the indexed records are, one row per {@link Run}
 * instead of one per record. Writing a row per record (ten binds and a B-tree insert each) was
 * the largest single part of the audit log's CPU under a flood of reads; a batch now costs a row
 * or two, and a trickle of small batches extends the last row rather than adding one, so the
 * table stays at about one row per block of records whatever the batching.
 */
final class RunTable {
    static final String COLUMNS = "first_seq, last_seq, segment, line_offset, byte_length";

    private RunTable() {
    }

    /**
     * Stores where the lines of {@code rows} (consecutive, in seq order) are, joining what
     * continues the last stored run onto it. Runs in the caller's transaction.
     */
    static void append(Connection connection, List<IndexRow> rows) throws SQLException {
        List<Run> runs = group(rows);
        if (runs.isEmpty()) {
            return;
        }
        Run last = last(connection);
        int from = 0;
        if (last != null && last.continuedBy(runs.get(0))) {
            Run joined = last.join(runs.get(0));
            try (PreparedStatement ps = connection.prepareStatement(
                    "UPDATE runs SET last_seq = ?, byte_length = ? WHERE first_seq = ?")) {
                ps.setLong(1, joined.lastSeq());
                ps.setLong(2, joined.byteLength());
                ps.setLong(3, joined.firstSeq());
                ps.executeUpdate();
            }
            from = 1;
        }
        if (from == runs.size()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO runs (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?)")) {
            for (Run run : runs.subList(from, runs.size())) {
                ps.setLong(1, run.firstSeq());
                ps.setLong(2, run.lastSeq());
                ps.setLong(3, run.segment());
                ps.setLong(4, run.offset());
                ps.setLong(5, run.byteLength());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Drops the runs of records before {@code seq}; a run never spans segments, so none is cut. */
    static void deleteBefore(Connection connection, long seq) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM runs WHERE first_seq < ?")) {
            ps.setLong(1, seq);
            ps.executeUpdate();
        }
    }

    /**
     * A statement for the runs holding records in [from, to), in seq order; bind with
     * {@link #bindOverlapping}. The run holding {@code from} starts at or before it, so the
     * range starts at the last run that does (a look-up by rowid, no scan).
     */
    static PreparedStatement overlapping(Connection connection) throws SQLException {
        return connection.prepareStatement("SELECT " + COLUMNS + " FROM runs WHERE first_seq >= coalesce("
                + "(SELECT first_seq FROM runs WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1), 0) "
                + "AND first_seq < ? AND last_seq >= ? ORDER BY first_seq");
    }

    static void bindOverlapping(PreparedStatement ps, long from, long to) throws SQLException {
        ps.setLong(1, from);
        ps.setLong(2, to);
        ps.setLong(3, from);
    }

    static Run read(ResultSet rs) throws SQLException {
        return new Run(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
    }

    /** The rows as few runs as their lines allow. */
    static List<Run> group(List<IndexRow> rows) {
        List<Run> runs = new ArrayList<>();
        Run current = null;
        for (IndexRow row : rows) {
            Run next = Run.of(row.location());
            if (current != null && current.continuedBy(next)) {
                current = current.join(next);
            } else {
                if (current != null) {
                    runs.add(current);
                }
                current = next;
            }
        }
        if (current != null) {
            runs.add(current);
        }
        return runs;
    }

    private static Run last(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT " + COLUMNS + " FROM runs ORDER BY first_seq DESC LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? read(rs) : null;
        }
    }
}
