package io.stowage.storage.meta;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A PostgreSQL database shared by every replica: migrates it with Flyway ({@code db/postgresql},
 * the twin of the SQLite set with the same versions), and runs transactions on a HikariCP pool.
 *
 * <p>Writes: every transaction is SERIALIZABLE, so whatever several replicas write at once, the
 * outcome equals some order of the transactions one after another (a rule checked inside a
 * transaction still holds when it commits). A transaction that lost a conflict is rolled back and
 * its whole unit of work runs again ({@link ConflictRetry}); the work must therefore keep every
 * effect inside the transaction (the store tells journal listeners only after the last commit).
 *
 * <p>{@link #write} transactions, the ones that change manifests, tags and the journal, first take
 * {@value #WRITER_LOCK}, before their snapshot exists. They would queue on the change counter row
 * anyway (every manifest change moves it), and waiting for it up front is cheaper than finding the
 * row changed at the end, failing, and doing the work again. It also orders journal ids: the
 * transaction that took an id commits before the next one can take another, so a backup that saw
 * id n never finds a lower id appear later. Plain reads do not wait for it. {@link #writeBlobRows}
 * (upload sessions, blob links, holds: the bulk of a push) skip the lock and run in parallel, and
 * SERIALIZABLE alone keeps them consistent with the rest.
 *
 * <p>Reads: autocommit at READ COMMITTED, each statement sees the last committed state;
 * {@link #readSnapshot} gives several statements one REPEATABLE READ snapshot. Thread-safe.
 */
final class PostgresDatabase implements JdbcDatabase {
    /** Conflicts only with writers of change_counter and with itself, not with plain SELECTs. */
    static final String WRITER_LOCK = "LOCK TABLE change_counter IN EXCLUSIVE MODE";

    private final HikariDataSource pool;
    private final ConflictRetry retry;

    PostgresDatabase(PostgresSettings settings) {
        this(settings, ConflictRetry.standard());
    }

    PostgresDatabase(PostgresSettings settings, ConflictRetry retry) {
        this.retry = retry;
        HikariDataSource opened = null;
        try {
            opened = new HikariDataSource(poolConfig(settings, "stowage-metadata", settings.poolSize()));
            Flyway.configure().dataSource(opened).locations("classpath:db/postgresql").load().migrate();
        } catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            throw new MetadataStoreException("failed to open the PostgreSQL metadata database at " + settings.jdbcUrl()
                    + ": " + rootMessage(e), e);
        }
        this.pool = opened;
    }

    /** A pool of up to {@code size} connections to the database of {@code settings}, waiting its connection timeout at most. */
    static HikariConfig poolConfig(PostgresSettings settings, String name, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(settings.jdbcUrl());
        if (settings.user() != null && !settings.user().isBlank()) {
            config.setUsername(settings.user());
        }
        if (settings.password() != null && !settings.password().isEmpty()) {
            config.setPassword(settings.password());
        }
        config.setMaximumPoolSize(size);
        // Idle replicas keep few connections open; a busy one grows to the pool's size.
        config.setMinimumIdle(Math.min(2, size));
        config.setConnectionTimeout(settings.connectionTimeout().toMillis());
        // The driver's own TCP connect and login limit, in whole seconds: an unreachable host must not
        // hold a pool thread longer than a request would wait for it.
        long seconds = Math.max(1, settings.connectionTimeout().toSeconds());
        config.addDataSourceProperty("connectTimeout", seconds);
        config.addDataSourceProperty("loginTimeout", seconds);
        config.setAutoCommit(true);
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        // Fail at start-up when the database cannot be reached, not at the first request.
        config.setInitializationFailTimeout(settings.connectionTimeout().toMillis());
        return config;
    }

    @Override
    public <T> T write(SqlWork<T> work) {
        return serializable(work, true);
    }

    @Override
    public <T> T writeBlobRows(SqlWork<T> work) {
        return serializable(work, false);
    }

    private <T> T serializable(SqlWork<T> work, boolean serialWithWriters) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
                try {
                    if (serialWithWriters) {
                        try (Statement s = c.createStatement()) {
                            s.execute(WRITER_LOCK);
                        }
                    }
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (Throwable t) {
                    rollbackQuietly(c, t);
                    throw t;
                }
            } catch (SQLException e) {
                if (!retry.shouldRetry(e, attempt)) {
                    throw SqlOutages.failure(ConflictRetry.isConflict(e)
                            ? "metadata write lost to concurrent writes " + attempt + " times" : "metadata write failed", e);
                }
            }
            retry.pauseAfter(attempt);
        }
    }

    @Override
    public <T> T read(SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw SqlOutages.failure("metadata read failed", e);
        }
    }

    @Override
    public <T> T readSnapshot(SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                return work.run(c);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw SqlOutages.failure("metadata read failed", e);
        }
    }

    private static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    @Override
    public void close() {
        pool.close();
    }
}
