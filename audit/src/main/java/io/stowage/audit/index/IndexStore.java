package io.stowage.audit.index;

import org.sqlite.SQLiteConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The SQLite file of the index and everything written to it. One connection, not thread-safe:
 * {@link AuditIndex} serialises access. Durability is relaxed ({@code synchronous=NORMAL} in WAL
 * mode): a crash can lose the last transactions, but never corrupt the file, and whatever is
 * lost is indexed again from the segments on the next catch-up.
 */
final class IndexStore implements AutoCloseable {
    private final Connection connection;

    /**
     * The block whose filter values {@link #writtenValues} lists: values noted in value_blocks for
     * it (committed or in the open transaction), so that a run of alike records writes nothing.
     */
    private long valuesBlock = -1;
    private final Set<String> writtenValues = new HashSet<>();
    /**
     * The last value noted per filter column (in {@link IndexSchema#FILTER_COLUMNS} order), so that
     * the common case, a record alike the one before, costs four comparisons and no set look-up.
     */
    private final String[] lastNoted = new String[IndexSchema.FILTER_COLUMNS.length];

    private IndexStore(Connection connection) {
        this.connection = connection;
    }

    static IndexStore open(Path dbFile) throws SQLException {
        try {
            Path parent = dbFile.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (java.io.IOException e) {
            throw new SQLException("cannot create the directory of " + dbFile, e);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(10_000);
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        config.setCacheSize(-32 * 1024);
        Connection connection = config.createConnection("jdbc:sqlite:" + dbFile.toAbsolutePath());
        try {
            IndexSchema.ensure(connection);
            connection.setAutoCommit(false);
            return new IndexStore(connection);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    Connection connection() {
        return connection;
    }

    Optional<IndexPosition> position() throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery(
                     "SELECT last_seq, segment, line_offset, line_length, last_hash FROM position WHERE id = 1")) {
            Optional<IndexPosition> position = rs.next()
                    ? Optional.of(new IndexPosition(new RecordLocation(rs.getLong(1), rs.getLong(2), rs.getLong(3),
                    rs.getInt(4)), rs.getString(5)))
                    : Optional.empty();
            connection.commit();
            return position;
        }
    }

    /** Segment numbers that have indexed rows, each with its first seq. */
    TreeMap<Long, Long> segments() throws SQLException {
        TreeMap<Long, Long> segments = new TreeMap<>();
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT number, first_seq FROM segments")) {
            while (rs.next()) {
                segments.put(rs.getLong(1), rs.getLong(2));
            }
        }
        connection.commit();
        return segments;
    }

    /**
     * Adds a batch of rows (consecutive, in seq order) and moves the position to its last row, in
     * one transaction. Of each row only where its line is ({@link RunTable}), its filter values'
     * blocks and its time are kept.
     */
    void append(List<IndexRow> rows, IndexPosition position) throws SQLException {
        try {
            RunTable.append(connection, rows);
            noteValues(rows);
            insertSegments(rows);
            widenTimeBlocks(rows);
            savePosition(position);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            forgetWrittenValues();
            connection.rollback();
            throw e;
        }
    }

    /** Forgets the rows of segments numbered below {@code oldestPresent}, which a purge has deleted. */
    void forgetSegmentsBefore(long oldestPresent) throws SQLException {
        try {
            Long firstKept = null;
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT first_seq FROM segments WHERE number >= ? ORDER BY number LIMIT 1")) {
                ps.setLong(1, oldestPresent);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        firstKept = rs.getLong(1);
                    }
                }
            }
            long keepFrom = firstKept == null ? Long.MAX_VALUE : firstKept;
            RunTable.deleteBefore(connection, keepFrom);
            update("DELETE FROM time_blocks WHERE block < ?", IndexSchema.block(keepFrom));
            update("DELETE FROM value_blocks WHERE block < ?", IndexSchema.block(keepFrom));
            update("DELETE FROM segments WHERE number < ?", oldestPresent);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            forgetWrittenValues();
            connection.rollback();
            throw e;
        }
    }

    /** Empties the index, for a rebuild. */
    void clear() throws SQLException {
        forgetWrittenValues();
        autocommitted(() -> IndexSchema.recreate(connection));
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }

    /** Runs schema statements outside the batch transactions. */
    private void autocommitted(SqlStep step) throws SQLException {
        connection.setAutoCommit(true);
        try {
            step.run();
        } finally {
            connection.setAutoCommit(false);
        }
    }

    @FunctionalInterface
    private interface SqlStep {
        void run() throws SQLException;
    }

    /** Adds the blocks of the rows' filter values to value_blocks, skipping those already noted. */
    private void noteValues(List<IndexRow> rows) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT OR IGNORE INTO value_blocks (name, value, block) VALUES (?, ?, ?)")) {
            boolean any = false;
            for (IndexRow row : rows) {
                long block = IndexSchema.block(row.seq());
                if (block != valuesBlock) {
                    forgetWrittenValues();
                    valuesBlock = block;
                }
                any |= note(ps, block, 0, row.repository());
                any |= note(ps, block, 1, row.actor());
                any |= note(ps, block, 2, row.action());
                any |= note(ps, block, 3, row.status() == null ? null : row.status().toString());
            }
            if (any) {
                ps.executeBatch();
            }
        }
    }

    private boolean note(PreparedStatement ps, long block, int column, String value) throws SQLException {
        if (value == null || value.equals(lastNoted[column])) {
            return false;
        }
        lastNoted[column] = value;
        String name = IndexSchema.FILTER_COLUMNS[column];
        if (!writtenValues.add(name + '\u0000' + value)) {
            return false;
        }
        ps.setString(1, name);
        ps.setString(2, value);
        ps.setLong(3, block);
        ps.addBatch();
        return true;
    }

    /** Starts the memo afresh: for a new block, and after a rollback (it may name values that never reached the table). */
    private void forgetWrittenValues() {
        writtenValues.clear();
        Arrays.fill(lastNoted, null);
        valuesBlock = -1;
    }

    /** Notes the first seq of each segment the batch starts; a segment already noted keeps its first seq. */
    private void insertSegments(List<IndexRow> rows) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT OR IGNORE INTO segments (number, first_seq) VALUES (?, ?)")) {
            long previous = -1;
            for (IndexRow row : rows) {
                long segment = row.location().segment();
                if (segment != previous) {
                    ps.setLong(1, segment);
                    ps.setLong(2, row.seq());
                    ps.addBatch();
                    previous = segment;
                }
            }
            ps.executeBatch();
        }
    }

    private void widenTimeBlocks(List<IndexRow> rows) throws SQLException {
        TreeMap<Long, long[]> blocks = new TreeMap<>();
        for (IndexRow row : rows) {
            long[] range = blocks.computeIfAbsent(IndexSchema.block(row.seq()),
                    b -> new long[]{Long.MAX_VALUE, Long.MIN_VALUE});
            range[0] = Math.min(range[0], row.timeMicros());
            range[1] = Math.max(range[1], row.timeMicros());
        }
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO time_blocks (block, min_time_us, "
                + "max_time_us) VALUES (?, ?, ?) ON CONFLICT (block) DO UPDATE SET "
                + "min_time_us = min(min_time_us, excluded.min_time_us), "
                + "max_time_us = max(max_time_us, excluded.max_time_us)")) {
            for (var block : blocks.entrySet()) {
                ps.setLong(1, block.getKey());
                ps.setLong(2, block.getValue()[0]);
                ps.setLong(3, block.getValue()[1]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void savePosition(IndexPosition position) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT OR REPLACE INTO position (id, last_seq, "
                + "segment, line_offset, line_length, last_hash) VALUES (1, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, position.lastSeq());
            ps.setLong(2, position.segment());
            ps.setLong(3, position.last().offset());
            ps.setInt(4, position.last().length());
            ps.setString(5, position.lastHash());
            ps.executeUpdate();
        }
    }

    private void update(String sql, long value) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setLong(1, value);
            ps.executeUpdate();
        }
    }
}
