package io.stowage.storage.meta;

import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The SQLite file of the embedded default: makes its schema current (Flyway, or the build's copy of
 * Flyway's result, {@link SqliteSchemaTemplate}), and hands out connections
 * configured for durability: WAL journal, {@code synchronous=FULL} (an acknowledged push survives
 * power loss), foreign keys on, and a busy timeout.
 *
 * <p>SQLite has one writer at a time, so writes share one connection behind a lock instead of
 * contending for the file lock; reads use a small pool of their own connections and, thanks to
 * WAL, never wait for the writer. Thread-safe.
 */
final class SqliteDatabase implements JdbcDatabase {
    private static final int READERS = 8;
    /** How often a write that met SQLITE_BUSY without waiting is tried in all. */
    private static final int BUSY_ATTEMPTS = 5;

    private final SQLiteDataSource dataSource;
    private final Connection writer;
    private final ReentrantLock writeLock = new ReentrantLock();
    /** At most READERS read connections, opened when first needed (each costs a few PRAGMAs at start-up). */
    private final Semaphore readPermits = new Semaphore(READERS);
    private final Queue<Connection> idleReaders = new ConcurrentLinkedQueue<>();
    private final List<Connection> all = new ArrayList<>();
    private final Schema schema;

    /** How the schema was made ready at this open. */
    enum Schema {
        /** A new database: a copy of the build's template, which Flyway migrated at build time. */
        COPIED,
        /** The database's migration history was the build's: Flyway had nothing to do. */
        CURRENT,
        /** Flyway ran (a database from an older build, or classes without a template). */
        MIGRATED
    }

    SqliteDatabase(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
            config.enforceForeignKeys(true);
            config.setBusyTimeout(10_000);
            dataSource = new SQLiteDataSource(config);
            dataSource.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
            schema = prepareSchema(file);
            writer = open();
            writer.setAutoCommit(false);
        } catch (Exception e) {
            close();
            throw new MetadataStoreException("failed to open metadata database " + file, e);
        }
    }

    /**
     * A new database is the build's template; a current one needs nothing; anything else is
     * Flyway's to migrate or refuse ({@link SqliteSchemaTemplate}).
     */
    private static Schema prepareSchema(Path file) throws Exception {
        Optional<SqliteSchemaTemplate> template = SqliteSchemaTemplate.load();
        if (template.isPresent()) {
            boolean copied = template.get().copyIfAbsent(file);
            try (Connection connection = migrationSource(file).getConnection()) {
                if (template.get().isCurrent(connection)) {
                    if (copied) {
                        connection.setAutoCommit(false);
                        SqliteSchemaTemplate.stampInstalledNow(connection);
                        connection.commit();
                        return Schema.COPIED;
                    }
                    return Schema.CURRENT;
                }
            }
        }
        migrate(file);
        return Schema.MIGRATED;
    }

    /**
     * Brings the schema up to date with Flyway. All pending migrations run in one transaction, on a connection
     * with {@code synchronous=NORMAL}: WAL keeps the transaction atomic, so a power cut can only
     * lose the migration whole (it runs again at the next start), and the first write after it,
     * with {@code synchronous=FULL}, syncs the WAL and with it the migration's frames. That spares
     * a new database one fsync per migration and per history row, most of Flyway's time at start.
     */
    static void migrate(Path file) {
        Flyway.configure().dataSource(migrationSource(file)).locations("classpath:db/migration").group(true).load()
                .migrate();
    }

    /** Connections for schema work: {@code synchronous=NORMAL} (see {@link #migrate}). */
    private static SQLiteDataSource migrationSource(Path file) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.enforceForeignKeys(true);
        config.setBusyTimeout(10_000);
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        return source;
    }

    Schema schema() {
        return schema;
    }

    private Connection open() throws SQLException {
        Connection connection = dataSource.getConnection();
        synchronized (all) {
            all.add(connection);
        }
        return connection;
    }

    /**
     * One write transaction. SQLite answers SQLITE_BUSY without using the busy timeout in a few cases
     * (a read connection opening the WAL index at that moment was seen in a test); the transaction was
     * rolled back whole, and every unit of work is safe to run again (PostgreSQL retries them too), so
     * it is run again a few times before the failure is reported.
     */
    @Override
    public <T> T write(SqlWork<T> work) {
        writeLock.lock();
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    T result = work.run(writer);
                    writer.commit();
                    return result;
                } catch (SQLException e) {
                    rollbackQuietly(e);
                    if (!isBusy(e) || attempt >= BUSY_ATTEMPTS) {
                        throw e;
                    }
                    Thread.sleep(5L * attempt);
                } catch (Throwable t) {
                    rollbackQuietly(t);
                    throw t;
                }
            }
        } catch (SQLException e) {
            throw new MetadataStoreException("metadata write failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetadataStoreException("interrupted retrying a metadata write", e);
        } finally {
            writeLock.unlock();
        }
    }

    private static boolean isBusy(SQLException e) {
        return e instanceof org.sqlite.SQLiteException sqlite
                && (sqlite.getResultCode().code & 0xff) == org.sqlite.SQLiteErrorCode.SQLITE_BUSY.code;
    }

    @Override
    public <T> T read(SqlWork<T> work) {
        try {
            readPermits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetadataStoreException("interrupted waiting for a database connection", e);
        }
        Connection connection = null;
        try {
            connection = idleReaders.poll();
            if (connection == null) {
                connection = open();
            }
            return work.run(connection);
        } catch (SQLException e) {
            throw new MetadataStoreException("metadata read failed", e);
        } finally {
            if (connection != null) {
                idleReaders.add(connection);
            }
            readPermits.release();
        }
    }

    /** WAL gives a read transaction its snapshot: opened by the first statement, ended by the rollback. */
    @Override
    public <T> T readSnapshot(SqlWork<T> work) {
        return read(c -> {
            c.setAutoCommit(false);
            try {
                return work.run(c);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        });
    }

    private void rollbackQuietly(Throwable cause) {
        try {
            writer.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** A PRAGMA's current value, for tests and diagnostics. */
    String pragma(String name) {
        return read(connection -> {
            try (var statement = connection.createStatement(); var rows = statement.executeQuery("PRAGMA " + name)) {
                return rows.next() ? rows.getString(1) : null;
            }
        });
    }

    @Override
    public void close() {
        synchronized (all) {
            for (Connection connection : all) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // Closing at shutdown: committed data is already durable.
                }
            }
            all.clear();
        }
    }
}
