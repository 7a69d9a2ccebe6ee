package io.stowage.storage.meta;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.stowage.storage.blob.DigestLocks;
import io.stowage.storage.oci.Digest;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * {@link DigestLocks} shared by every replica of one PostgreSQL database: one session-level advisory
 * lock per digest ({@code pg_advisory_lock(bigint)}), keyed by the first 64 bits of the digest's hex
 * (exact per digest; two digests agreeing in 64 bits would only wait for each other). A batch takes
 * its keys in ascending order, the one global order, so two batch holders cannot deadlock.
 *
 * <p>A session lock lives as long as its session, so a holder keeps one connection for the whole
 * critical section. Those come from a pool of their own ({@link PostgresSettings#lockPoolSize}),
 * not the metadata pool: the work under the lock makes metadata calls, and lock holders waiting for
 * a metadata connection that other lock holders' waiters occupy would starve each other. Before
 * asking the database a holder takes this process's own in-process lock of the digests, so threads
 * of one replica queue in memory, not each holding a connection while waiting for the next.
 *
 * <p>Release is checked: all locks go with one {@code pg_advisory_unlock_all()} on the same session.
 * If that fails, the connection broke while the work ran, and the database dropped the locks with
 * the session at some unknown moment: another replica may have run its own critical section inside
 * ours. The call then throws {@link MetadataStoreException} even though the work returned, so the
 * operation is reported failed (an upload is not acknowledged, a collection run fails) instead of
 * protected. The broken connection is evicted, never handed out again with locks on it.
 *
 * <p>A wait for another holder is not bounded, as with an in-process lock; critical sections are
 * short (an upload's check-and-link, one collector batch). A replica that vanished without closing
 * its connections keeps its locks until the database notices the dead connection (TCP keepalive on
 * the server). Thread-safe.
 */
public final class PostgresDigestLocks implements DigestLocks, AutoCloseable {
    private static final int KEY_HEX_CHARS = 16;

    private final DigestLocks local = DigestLocks.inProcess();
    private final HikariDataSource pool;

    private PostgresDigestLocks(HikariDataSource pool) {
        this.pool = pool;
    }

    /** Opens the lock pool ({@code lockPoolSize} connections at most); fails if the database cannot be reached. */
    public static PostgresDigestLocks open(PostgresSettings settings) {
        HikariConfig config = PostgresDatabase.poolConfig(settings, "stowage-digest-locks", settings.lockPoolSize());
        // The client notices a dead server while it holds locks, instead of waiting on the socket forever.
        config.addDataSourceProperty("tcpKeepAlive", true);
        try {
            return new PostgresDigestLocks(new HikariDataSource(config));
        } catch (RuntimeException e) {
            throw new MetadataStoreException("failed to open the PostgreSQL digest lock pool at " + settings.jdbcUrl()
                    + ": " + PostgresDatabase.rootMessage(e), e);
        }
    }

    @Override
    public <T, E extends Exception> T withLock(String digest, CheckedSupplier<T, E> work) throws E {
        return withLocks(List.of(digest), work);
    }

    @Override
    public <T, E extends Exception> T withLocks(Collection<String> digests, CheckedSupplier<T, E> work) throws E {
        TreeSet<Long> keys = new TreeSet<>();
        for (String digest : digests) {
            keys.add(keyOf(digest));
        }
        return local.withLocks(digests, () -> holding(keys, work));
    }

    /** The advisory lock key of a digest: the first 64 bits of its hex, as a signed bigint. */
    static long keyOf(String digest) {
        return Long.parseUnsignedLong(Digest.parse(digest).hex().substring(0, KEY_HEX_CHARS), 16);
    }

    private <T, E extends Exception> T holding(TreeSet<Long> keys, CheckedSupplier<T, E> work) throws E {
        Connection connection = connect();
        try {
            lock(connection, keys);
        } catch (SQLException e) {
            discard(connection);
            throw new MetadataStoreException("failed to take " + keys.size() + " digest lock(s)", e);
        }
        T result;
        try {
            result = work.get();
        } catch (Throwable failure) {
            try {
                release(connection);
            } catch (MetadataStoreException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
        release(connection);
        return result;
    }

    private Connection connect() {
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            throw new MetadataStoreException("no connection for digest locks", e);
        }
    }

    private static void lock(Connection connection, TreeSet<Long> keys) throws SQLException {
        // One statement per key, in ascending order: PostgreSQL does not promise to evaluate the
        // function calls of one set-returning statement in its rows' order.
        try (PreparedStatement s = connection.prepareStatement("SELECT pg_advisory_lock(?)")) {
            for (long key : keys) {
                s.setLong(1, key);
                s.execute();
            }
        }
    }

    /** Releases every lock of the session and returns the connection, or evicts it and throws if it broke. */
    private void release(Connection connection) {
        try (Statement s = connection.createStatement()) {
            s.execute("SELECT pg_advisory_unlock_all()");
        } catch (SQLException e) {
            discard(connection);
            throw new MetadataStoreException("the database connection holding digest locks broke before they were released;"
                    + " the operation may not have been exclusive and is failed", e);
        }
        try {
            connection.close();
        } catch (SQLException e) {
            // Returned to the pool with no lock on it: nothing is held, so nothing to report.
            pool.evictConnection(connection);
        }
    }

    /** Closes the connection for good: the database ends its session and with it any lock it held. */
    private void discard(Connection connection) {
        pool.evictConnection(connection);
    }

    @Override
    public void close() {
        pool.close();
    }
}
