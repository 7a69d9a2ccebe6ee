package io.stowage.storage.meta;

import java.time.Duration;

/**
 * Where the PostgreSQL metadata database is and how many connections a replica may hold to it.
 * Validated here, so a store is never opened with settings that cannot work.
 *
 * @param jdbcUrl           {@code jdbc:postgresql://host[:port]/database[?options]}
 * @param user              the role to log in as; null or blank to let the driver use the URL's or its default
 * @param password          null or empty for none (trust, peer, or a password in the URL)
 * @param poolSize          the most connections this process holds at once, at least 1
 * @param connectionTimeout how long a request waits for a connection before it fails; a database
 *                          that is down fails requests after this, instead of hanging them (for the
 *                          digest locks' connections too)
 * @param lockPoolSize      the most connections this process holds at once for digest locks
 *                          ({@link PostgresDigestLocks}), at least 1: a pool apart from the metadata
 *                          pool, so lock holders and metadata calls cannot starve each other
 */
public record PostgresSettings(String jdbcUrl, String user, String password, int poolSize, Duration connectionTimeout,
                               int lockPoolSize) {
    /** Enough for the default 64 request workers: a metadata call holds its connection for a few milliseconds. */
    public static final int DEFAULT_POOL_SIZE = 16;
    /**
     * A lock holder keeps its connection for one check-and-link (a few milliseconds) or one collector
     * batch; 32 lets half of the default 64 request workers finish uploads at the same moment.
     */
    public static final int DEFAULT_LOCK_POOL_SIZE = 32;
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    private static final String URL_PREFIX = "jdbc:postgresql://";

    public PostgresSettings {
        if (jdbcUrl == null || !jdbcUrl.startsWith(URL_PREFIX) || jdbcUrl.length() == URL_PREFIX.length()) {
            throw new IllegalArgumentException("the PostgreSQL URL must look like jdbc:postgresql://host[:port]/database, not "
                    + (jdbcUrl == null ? "nothing" : "'" + jdbcUrl + "'"));
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("the PostgreSQL pool size must be at least 1, not " + poolSize);
        }
        if (lockPoolSize < 1) {
            throw new IllegalArgumentException("the PostgreSQL lock pool size must be at least 1, not " + lockPoolSize);
        }
        // Hikari refuses less than 250 ms; a connect needs a round trip and an authentication anyway.
        if (connectionTimeout == null || connectionTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("the PostgreSQL connection timeout must be at least 250ms, not " + connectionTimeout);
        }
    }

    /** Settings with the default lock pool size. */
    public PostgresSettings(String jdbcUrl, String user, String password, int poolSize, Duration connectionTimeout) {
        this(jdbcUrl, user, password, poolSize, connectionTimeout, DEFAULT_LOCK_POOL_SIZE);
    }

    /** Settings with the default pool sizes and connection timeout. */
    public static PostgresSettings of(String jdbcUrl, String user, String password) {
        return new PostgresSettings(jdbcUrl, user, password, DEFAULT_POOL_SIZE, DEFAULT_CONNECTION_TIMEOUT);
    }

    /** Keeps the password out of logs and error messages. */
    @Override
    public String toString() {
        return "PostgresSettings[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=" + (password == null || password.isEmpty()
                ? "none" : "***") + ", poolSize=" + poolSize + ", connectionTimeout=" + connectionTimeout + ", lockPoolSize=" + lockPoolSize + "]";
    }
}
