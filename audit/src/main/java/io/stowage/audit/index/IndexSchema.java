package io.stowage.audit.index;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The tables of the index. There are no migrations: the index is derived from the segments, so a
 * database of another schema version is simply dropped and rebuilt.
 *
 * <ul>
 *   <li>{@code records}: one row per record; {@code seq} is the rowid, so the table itself is
 *       in sequence order. Each filter column has a one-column index; SQLite ends every index
 *       entry with the rowid, so an equality lookup on the index walks its rows in {@code seq}
 *       order, which serves {@code WHERE x = ? AND seq > ? ORDER BY seq LIMIT n} without a sort.</li>
 *   <li>{@code time_blocks}: the earliest and latest time per {@value #TIME_BLOCK_BITS}-bit
 *       block of sequence numbers. Record times rise with {@code seq} but not strictly (a record
 *       carries the time its request started), so a time range cannot be mapped to a seq range
 *       directly; these bounds give an exact superset of the blocks to look at, so a time filter
 *       narrows the seq range of whichever index is walked instead of forcing a sort.</li>
 *   <li>{@code segments}: the first seq of each indexed segment, to drop the rows of segments
 *       a purge has deleted.</li>
 *   <li>{@code position}: where catch-up continues (one row).</li>
 * </ul>
 */
final class IndexSchema {
    static final int VERSION = 1;
    static final int TIME_BLOCK_BITS = 12;

    private static final String[] TABLES = {"records", "time_blocks", "segments", "position"};
    private static final String[] CREATE = {
            """
            CREATE TABLE IF NOT EXISTS records (
                seq INTEGER PRIMARY KEY,
                time_us INTEGER NOT NULL,
                actor TEXT,
                action TEXT NOT NULL,
                repository TEXT,
                status INTEGER,
                kind TEXT NOT NULL,
                segment INTEGER NOT NULL,
                line_offset INTEGER NOT NULL,
                line_length INTEGER NOT NULL)""",
            """
            CREATE TABLE IF NOT EXISTS time_blocks (
                block INTEGER PRIMARY KEY,
                min_time_us INTEGER NOT NULL,
                max_time_us INTEGER NOT NULL)""",
            "CREATE TABLE IF NOT EXISTS segments (number INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL)",
            """
            CREATE TABLE IF NOT EXISTS position (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                last_seq INTEGER NOT NULL,
                segment INTEGER NOT NULL,
                line_offset INTEGER NOT NULL,
                line_length INTEGER NOT NULL,
                last_hash TEXT NOT NULL)"""};

    /** The filter indexes, apart so that a bulk load can build them once at the end. */
    private static final String[] FILTER_INDEXES = {
            "CREATE INDEX IF NOT EXISTS records_repository ON records (repository)",
            "CREATE INDEX IF NOT EXISTS records_actor ON records (actor)",
            "CREATE INDEX IF NOT EXISTS records_action ON records (action)",
            "CREATE INDEX IF NOT EXISTS records_status ON records (status)"};
    private static final String[] FILTER_INDEX_NAMES = {
            "records_repository", "records_actor", "records_action", "records_status"};

    private IndexSchema() {
    }

    /**
     * Creates the tables and indexes, first dropping those of another schema version, and
     * restoring filter indexes a bulk load did not get to rebuild. Runs in autocommit mode.
     */
    static void ensure(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            int version;
            try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
                version = rs.next() ? rs.getInt(1) : 0;
            }
            if (version != VERSION) {
                drop(st);
            }
            for (String ddl : CREATE) {
                st.executeUpdate(ddl);
            }
            for (String ddl : FILTER_INDEXES) {
                st.executeUpdate(ddl);
            }
            st.executeUpdate("PRAGMA user_version = " + VERSION);
        }
    }

    /** Empties the index by dropping and recreating its tables, far quicker than deleting a million rows. */
    static void recreate(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            drop(st);
            for (String ddl : CREATE) {
                st.executeUpdate(ddl);
            }
            for (String ddl : FILTER_INDEXES) {
                st.executeUpdate(ddl);
            }
        }
    }

    static void dropFilterIndexes(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            for (String name : FILTER_INDEX_NAMES) {
                st.executeUpdate("DROP INDEX IF EXISTS " + name);
            }
        }
    }

    static void createFilterIndexes(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            for (String ddl : FILTER_INDEXES) {
                st.executeUpdate(ddl);
            }
        }
    }

    private static void drop(Statement st) throws SQLException {
        for (String table : TABLES) {
            st.executeUpdate("DROP TABLE IF EXISTS " + table);
        }
    }
}
