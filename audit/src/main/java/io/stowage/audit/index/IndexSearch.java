package io.stowage.audit.index;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a query into one {@code SELECT ... WHERE ... ORDER BY seq LIMIT n} over the index.
 *
 * <p>Every plan walks either the table or one column index in seq order and stops after
 * {@code n} matches, never sorting. A time range is first narrowed to a seq range through the
 * time blocks (see {@link IndexSchema}), so that walk starts and ends near the range instead of
 * at the ends of the log; the exact time condition then filters within it.
 */
final class IndexSearch {

    private IndexSearch() {
    }

    /** Locations of up to {@code limit} matching records, in seq order. */
    static List<RecordLocation> find(Connection connection, AuditQuery q, int limit) throws SQLException {
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
        StringBuilder sql = new StringBuilder(
                "SELECT seq, segment, line_offset, line_length FROM records WHERE seq >= ? AND seq < ?");
        List<Object> args = new ArrayList<>(List.of(fromSeq, toSeq));
        equal(sql, args, "repository", q.repository());
        equal(sql, args, "actor", q.actor());
        equal(sql, args, "action", q.action());
        equal(sql, args, "status", q.status());
        if (q.since() != null) {
            sql.append(" AND time_us >= ?");
            args.add(Micros.ceil(q.since()));
        }
        if (q.until() != null) {
            sql.append(" AND time_us < ?");
            args.add(Micros.ceil(q.until()));
        }
        sql.append(" ORDER BY seq LIMIT ?");
        args.add(limit);
        List<RecordLocation> found = new ArrayList<>(Math.min(limit, 1024));
        try (PreparedStatement ps = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new RecordLocation(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getInt(4)));
                }
            }
        }
        connection.commit();
        return found;
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
                return new long[]{first << IndexSchema.TIME_BLOCK_BITS, (last + 1) << IndexSchema.TIME_BLOCK_BITS};
            }
        }
    }

    private static void equal(StringBuilder sql, List<Object> args, String column, Object value) {
        if (value != null) {
            sql.append(" AND ").append(column).append(" = ?");
            args.add(value);
        }
    }
}
