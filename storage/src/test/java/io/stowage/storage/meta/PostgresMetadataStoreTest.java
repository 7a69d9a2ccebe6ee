package io.stowage.storage.meta;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The metadata store contract on PostgreSQL, plus what only a shared server can get wrong. */
class PostgresMetadataStoreTest extends MetadataStoreContractTest {
    /** The contract reopens a store on the same directory to see the same data: one database per directory. */
    private final Map<Path, PostgresServer.Database> databases = new HashMap<>();

    @Override
    protected MetadataStore open(Path dir) {
        PostgresServer.Database database = databases.computeIfAbsent(dir, d -> PostgresServer.shared().createDatabase());
        return JdbcMetadataStore.openPostgres(database.settings(), Clock.systemUTC());
    }

    @Test
    void aDatabaseThatCannotBeReachedFailsTheOpenWithinTheConnectionTimeout() throws Exception {
        int closedPort;
        try (var socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        PostgresSettings settings = new PostgresSettings("jdbc:postgresql://127.0.0.1:" + closedPort + "/nothing", "x", "y",
                4, Duration.ofSeconds(1));
        long started = System.nanoTime();
        MetadataStoreException e = assertThrows(MetadataStoreException.class,
                () -> JdbcMetadataStore.openPostgres(settings, Clock.systemUTC()));
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(10)) < 0, "failed fast");
        assertTrue(e.getMessage().contains("127.0.0.1:" + closedPort), e.getMessage());
    }

    @Test
    void aDatabaseThatGoesAwayTurnsCallsIntoMetadataStoreExceptions() throws Exception {
        PostgresServer.Database database = databases.get(dir);
        String name = database.jdbcUrl().substring(database.jdbcUrl().lastIndexOf('/') + 1);
        store.linkBlob("app", digest("b"), 1);
        try (Connection c = PostgresServer.shared().createDatabase().connect(); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
        }
        assertThrows(MetadataStoreException.class, () -> store.findLinkedBlob("app", digest("b")));
        assertThrows(MetadataStoreException.class, () -> store.linkBlob("app", digest("c"), 1));
        try (Connection c = PostgresServer.shared().createDatabase().connect(); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
        }
        // Each pooled connection the outage killed fails the one call that finds it dead, and is replaced.
        Long size = null;
        for (int call = 0; call <= database.settings().poolSize() && size == null; call++) {
            try {
                size = store.findLinkedBlob("app", digest("b")).orElseThrow();
            } catch (MetadataStoreException stillDead) {
                // the next call takes another connection
            }
        }
        assertEquals(1L, size, "the pool reconnects once the database is back");
    }
}
