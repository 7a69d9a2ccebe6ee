package io.stowage.storage.meta;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Transactions over one SQL database: the seam between {@link JdbcMetadataStore}'s SQL and the
 * dialect's connection handling ({@link SqliteDatabase}, {@link PostgresDatabase}). Units of work
 * may run more than once (PostgreSQL retries a transaction that lost a conflict), so they keep
 * every effect inside the transaction.
 */
interface JdbcDatabase extends AutoCloseable {

    /** Runs {@code work} in one write transaction: committed if it returns, rolled back if it throws. */
    <T> T write(SqlWork<T> work);

    /**
     * A write that changes only blob, blob-link and upload-session rows, never what a manifest or
     * tag lookup returns: {@link CacheFencedDatabase} lets it past the manifest cache's fence.
     */
    default <T> T writeBlobRows(SqlWork<T> work) {
        return write(work);
    }

    /** Runs {@code work} on a connection that sees the last committed state, each statement on its own. */
    <T> T read(SqlWork<T> work);

    /**
     * Runs {@code work} in one read-only transaction whose statements all see the same snapshot,
     * for a reader that must not mix states (the collector's mark, a backup). Keep it short: a long
     * snapshot holds back SQLite's checkpoint and PostgreSQL's vacuum.
     */
    <T> T readSnapshot(SqlWork<T> work);

    @Override
    void close();

    /** A unit of SQL work. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }
}
