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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The SQLite file of the embedded default: migrates it with Flyway, and hands out connections
 * configured for durability: WAL journal, {@code synchronous=FULL} (an acknowledged push survives
 * power loss), foreign keys on, and a busy timeout.
 *
 * <p>SQLite has one writer at a time, so writes share one connection behind a lock instead of
 * contending for the file lock; reads use a small pool of their own connections and, thanks to
 * WAL, never wait for the writer. Thread-safe.
 */
final class SqliteDatabase implements JdbcDatabase {
    private static final int READERS = 8;

    private final SQLiteDataSource dataSource;
    private final Connection writer;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);
    private final List<Connection> all = new ArrayList<>();

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
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
            writer = open();
            writer.setAutoCommit(false);
            for (int i = 0; i < READERS; i++) {
                readers.add(open());
            }
        } catch (Exception e) {
            close();
            throw new MetadataStoreException("failed to open metadata database " + file, e);
        }
    }

    private Connection open() throws SQLException {
        Connection connection = dataSource.getConnection();
        synchronized (all) {
            all.add(connection);
        }
        return connection;
    }

    @Override
    public <T> T write(SqlWork<T> work) {
        writeLock.lock();
        try {
            try {
                T result = work.run(writer);
                writer.commit();
                return result;
            } catch (Throwable t) {
                rollbackQuietly(t);
                throw t;
            }
        } catch (SQLException e) {
            throw new MetadataStoreException("metadata write failed", e);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public <T> T read(SqlWork<T> work) {
        Connection connection;
        try {
            connection = readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetadataStoreException("interrupted waiting for a database connection", e);
        }
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw new MetadataStoreException("metadata read failed", e);
        } finally {
            readers.add(connection);
        }
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
