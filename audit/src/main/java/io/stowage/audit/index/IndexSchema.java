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
 *   <li>{@code runs}: where the records' lines are, one row per run of consecutive records whose
 *       lines lie back to back in one segment and within one {@value #BLOCK_BITS}-bit block of
 *       sequence numbers ({@link Run}); {@code first_seq} is the rowid, so the table is in
 *       sequence order and a new row is an append at its end. It holds no record values: a query
 *       reads a run's bytes from the segment and tests each line ({@link RunScanner}). Version 2
 *       kept a row per record with its values instead; inserting those rows was the largest
 *       single part of the audit log's CPU under a flood of reads, where a batch of runs is a
 *       row or two and a trickle of small batches extends the last one.</li>
 *   <li>{@code value_blocks}: for each filter column ({@link #FILTER_COLUMNS}) and value, the
 *       blocks that hold a record with that value. A filtered query walks the blocks of one of
 *       its values in order and reads only those blocks' runs. Under a flood of alike requests a
 *       block gains no row at all, where one index per column (version 1) cost four B-tree
 *       inserts per record: half of the audit log's CPU under a flood of reads
 *       (bench/README.md).</li>
 *   <li>{@code time_blocks}: the earliest and latest time per block. Record times rise with
 *       {@code seq} but not strictly (a record carries the time its request started), so a time
 *       range cannot be mapped to a seq range directly; these bounds give an exact superset of
 *       the blocks to look at.</li>
 *   <li>{@code segments}: the first seq of each indexed segment, to drop the rows of segments
 *       a purge has deleted.</li>
 *   <li>{@code position}: where catch-up continues (one row).</li>
 * </ul>
 */
final class IndexSchema {
    static final int VERSION = 3;
    static final int BLOCK_BITS = 12;

    /** The columns a query filters on by equality, as named in {@code value_blocks}. */
    static final String[] FILTER_COLUMNS = {"repository", "actor", "action", "status"};

    /** Every table this or an earlier version created ({@code records} until version 2), to drop. */
    private static final String[] TABLES = {"records", "runs", "value_blocks", "time_blocks", "segments", "position"};
    private static final String[] CREATE = {
            """
            CREATE TABLE IF NOT EXISTS runs (
                first_seq INTEGER PRIMARY KEY,
                last_seq INTEGER NOT NULL,
                segment INTEGER NOT NULL,
                line_offset INTEGER NOT NULL,
                byte_length INTEGER NOT NULL)""",
            """
            CREATE TABLE IF NOT EXISTS value_blocks (
                name TEXT NOT NULL,
                value TEXT NOT NULL,
                block INTEGER NOT NULL,
                PRIMARY KEY (name, value, block)) WITHOUT ROWID""",
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

    private IndexSchema() {
    }

    /** Creates the tables, first dropping those of another schema version. Runs in autocommit mode. */
    static void ensure(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            int version;
            try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
                version = rs.next() ? rs.getInt(1) : 0;
            }
            if (version != VERSION) {
                drop(st);
                // Version 1 had one index per filter column; dropping its table dropped them too.
                // The empty position makes the next catch-up index the whole log again.
            }
            for (String ddl : CREATE) {
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
        }
    }

    /** The block of a sequence number. */
    static long block(long seq) {
        return seq >> BLOCK_BITS;
    }

    /** The first sequence number of a block. */
    static long firstSeq(long block) {
        return block << BLOCK_BITS;
    }

    private static void drop(Statement st) throws SQLException {
        for (String table : TABLES) {
            st.executeUpdate("DROP TABLE IF EXISTS " + table);
        }
        st.executeUpdate("DROP TABLE IF EXISTS sqlite_stat1");
    }
}
