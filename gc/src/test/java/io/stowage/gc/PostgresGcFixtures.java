package io.stowage.gc;

import io.stowage.audit.AuditSink;
import io.stowage.storage.meta.JdbcMetadataStore;
import io.stowage.storage.meta.PostgresServer;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Fixtures whose metadata lives in PostgreSQL: one fresh database per data directory, so a fixture
 * reopened on the same directory sees the same metadata, as with SQLite. Not thread-safe (one per test).
 */
final class PostgresGcFixtures {
    private final Map<Path, PostgresServer.Database> databases = new HashMap<>();

    GcFixture open(Path dir, GcSettings settings) throws Exception {
        PostgresServer.Database database = databases.computeIfAbsent(dir, d -> PostgresServer.shared().createDatabase());
        return new GcFixture(dir, settings, AuditSink.NONE, clock -> JdbcMetadataStore.openPostgres(database.settings(), clock));
    }
}
