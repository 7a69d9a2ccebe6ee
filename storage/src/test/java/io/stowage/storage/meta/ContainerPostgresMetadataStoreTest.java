package io.stowage.storage.meta;

import io.stowage.storage.testing.ContainerImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The metadata store contract against PostgreSQL in a container (the server as operators run it),
 * where a Docker engine runs and the image can be had; skipped with the reason where not.
 * {@link PostgresMetadataStoreTest} runs the same suite everywhere on a throw-away cluster of the
 * machine's own PostgreSQL.
 */
class ContainerPostgresMetadataStoreTest extends MetadataStoreContractTest {

    private static final String IMAGE = "postgres:15-alpine";
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static PostgreSQLContainer postgres;
    /** Why the suite cannot run here; each test is reported as skipped with it. */
    private static String unavailable;

    /** The contract reopens a store on the same directory to see the same data: one database per directory. */
    private final Map<Path, String> databases = new HashMap<>();

    @BeforeAll
    static void startPostgres() {
        unavailable = ContainerImages.unavailable(IMAGE);
        if (unavailable != null) {
            unavailable = unavailable + ": container PostgreSQL suite skipped (PostgresMetadataStoreTest runs it on a local cluster)";
            return;
        }
        try {
            postgres = new PostgreSQLContainer(IMAGE);
            postgres.start();
        } catch (RuntimeException e) {
            unavailable = "PostgreSQL image " + IMAGE + " could not be started: " + e.getMessage();
            postgres = null;
        }
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.stop();
        }
    }

    @Override
    protected MetadataStore open(Path dir) {
        Assumptions.assumeTrue(unavailable == null, unavailable);
        String url = databases.computeIfAbsent(dir, d -> createDatabase());
        return JdbcMetadataStore.openPostgres(
                new PostgresSettings(url, postgres.getUsername(), postgres.getPassword(), 8, Duration.ofSeconds(5)),
                Clock.systemUTC());
    }

    private static String createDatabase() {
        String name = "contract_" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection(postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword());
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        String base = postgres.getJdbcUrl();
        int slash = base.lastIndexOf('/');
        int query = base.indexOf('?', slash);
        return base.substring(0, slash + 1) + name + (query < 0 ? "" : base.substring(query));
    }
}
