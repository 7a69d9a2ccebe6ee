package io.stowage.audit.index;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers a query from the index, in seq order, stopping after {@code n} matches, never sorting.
 *
 * <p>A time range is first narrowed to a seq range through the time blocks (see
 * {@link IndexSchema}). Without an equality filter the runs over that range are read in order.
 * With one, the blocks that hold the filter's value (from {@code value_blocks}; of several
 * filters, the one with the fewest blocks) are visited in order, and each visit reads that
 * block's runs: at most a block of lines per visit, and each visited block holds at least one
 * record with the value. Either way the lines are tested against every condition of the query by
 * {@link RunScanner}, since the index keeps no values per record.
 */
final class IndexSearch {
    /** How many candidate blocks to fetch at a time: a page of a few hundred matches needs few. */
    private static final int BLOCK_PAGE = 64;

    private IndexSearch() {
    }

    /** Locations of up to {@code limit} matching records, in seq order; the lines are read from {@code auditDirectory}. */
    static List<RecordLocation> find(Connection connection, Path auditDirectory, AuditQuery q, int limit)
            throws SQLException, IOException {
        try (SegmentReader segments = new SegmentReader(auditDirectory)) {
            return search(connection, segments, q, limit);
        } finally {
            connection.commit();
        }
    }

    private static List<RecordLocation> search(Connection connection, SegmentReader segments, AuditQuery q, int limit)
            throws SQLException, IOException {
        if (q.afterSeq() != null && q.afterSeq() == Long.MAX_VALUE) {
            return List.of();
        }
        long fromSeq = q.afterSeq() == null ? 0 : q.afterSeq() + 1;
        long toSeq = Long.MAX_VALUE;
        if (q.since() != null || q.until() != null) {
            long[] bounds = seqBounds(connection, q);
            if (bounds == null) {
                return List.of();
            }
            fromSeq = Math.max(fromSeq, bounds[0]);
            toSeq = bounds[1];
        }
        List<String[]> filters = filters(q);
        String[] driver = filters.isEmpty() ? null : fewestBlocks(connection, filters, fromSeq, toSeq);
        RunScanner scanner = new RunScanner(segments, LineFilter.of(q, driver == null ? null : driver[0]));
        List<RecordLocation> found = new ArrayList<>(Math.min(limit, 1024));
        try (PreparedStatement runs = RunTable.overlapping(connection)) {
            if (driver == null) {
                scan(runs, scanner, fromSeq, toSeq, limit, found);
                return found;
            }
            long nextBlock = IndexSchema.block(fromSeq);
            long lastBlock = IndexSchema.block(toSeq == Long.MAX_VALUE ? Long.MAX_VALUE : toSeq - 1);
            while (found.size() < limit) {
                List<Long> blocks = blocks(connection, driver, nextBlock, lastBlock);
                for (long block : blocks) {
                    long from = Math.max(fromSeq, IndexSchema.firstSeq(block));
                    long to = Math.min(toSeq, IndexSchema.firstSeq(block + 1));
                    scan(runs, scanner, from, to, limit, found);
                    if (found.size() >= limit) {
                        return found;
                    }
                }
                if (blocks.size() < BLOCK_PAGE) {
                    return found;
                }
                nextBlock = blocks.get(blocks.size() - 1) + 1;
            }
        }
        return found;
    }

    /** The matching records in [from, to), appended to {@code found} until it holds {@code limit}. */
    private static void scan(PreparedStatement runs, RunScanner scanner, long from, long to, int limit,
                             List<RecordLocation> found) throws SQLException, IOException {
        RunTable.bindOverlapping(runs, from, to);
        try (ResultSet rs = runs.executeQuery()) {
            while (found.size() < limit && rs.next()) {
                scanner.scan(RunTable.read(rs), from, to, limit, found);
            }
        }
    }

    /** The query's equality filters as {name, value} pairs of value_blocks. */
    private static List<String[]> filters(AuditQuery q) {
        List<String[]> filters = new ArrayList<>(4);
        if (q.repository() != null) {
            filters.add(new String[]{"repository", q.repository()});
        }
        if (q.actor() != null) {
            filters.add(new String[]{"actor", q.actor()});
        }
        if (q.action() != null) {
            filters.add(new String[]{"action", q.action()});
        }
        if (q.status() != null) {
            filters.add(new String[]{"status", q.status().toString()});
        }
        return filters;
    }

    /** Of several filters, the one whose value is in the fewest blocks of the range: the fewest slices to scan. */
    private static String[] fewestBlocks(Connection connection, List<String[]> filters, long fromSeq, long toSeq)
            throws SQLException {
        if (filters.size() == 1) {
            return filters.get(0);
        }
        String[] best = null;
        long bestCount = Long.MAX_VALUE;
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT count(*) FROM value_blocks WHERE name = ? AND value = ? AND block >= ? AND block <= ?")) {
            for (String[] filter : filters) {
                ps.setString(1, filter[0]);
                ps.setString(2, filter[1]);
                ps.setLong(3, IndexSchema.block(fromSeq));
                ps.setLong(4, IndexSchema.block(toSeq == Long.MAX_VALUE ? Long.MAX_VALUE : toSeq - 1));
                try (ResultSet rs = ps.executeQuery()) {
                    long count = rs.next() ? rs.getLong(1) : 0;
                    if (count < bestCount) {
                        best = filter;
                        bestCount = count;
                    }
                }
            }
        }
        return best;
    }

    /** The next page of blocks in [first, last] that hold the filter's value, in order. */
    private static List<Long> blocks(Connection connection, String[] filter, long first, long last) throws SQLException {
        List<Long> blocks = new ArrayList<>(BLOCK_PAGE);
        try (PreparedStatement ps = connection.prepareStatement("SELECT block FROM value_blocks WHERE name = ? AND "
                + "value = ? AND block >= ? AND block <= ? ORDER BY block LIMIT " + BLOCK_PAGE)) {
            ps.setString(1, filter[0]);
            ps.setString(2, filter[1]);
            ps.setLong(3, first);
            ps.setLong(4, last);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    blocks.add(rs.getLong(1));
                }
            }
        }
        return blocks;
    }

    /** The seq range [from, to) of the blocks whose times overlap the query's range; null when none do. */
    private static long[] seqBounds(Connection connection, AuditQuery q) throws SQLException {
        String sql = "SELECT min(block), max(block) FROM time_blocks WHERE max_time_us >= ? AND min_time_us < ?";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setLong(1, q.since() == null ? Long.MIN_VALUE : Micros.ceil(q.since()));
            ps.setLong(2, q.until() == null ? Long.MAX_VALUE : Micros.ceil(q.until()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long first = rs.getLong(1);
                if (rs.wasNull()) {
                    return null;
                }
                long last = rs.getLong(2);
                return new long[]{IndexSchema.firstSeq(first), IndexSchema.firstSeq(last + 1)};
            }
        }
    }
}
