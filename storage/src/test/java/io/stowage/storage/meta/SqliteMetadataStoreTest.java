package io.stowage.storage.meta;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SqliteMetadataStoreTest extends MetadataStoreContractTest {

    @Override
    protected MetadataStore open(Path dir) {
        return JdbcMetadataStore.openSqlite(dir.resolve("registry.db"), Clock.systemUTC());
    }

    @Test
    void databaseRunsInWalModeWithFullSync() {
        SqliteDatabase db = new SqliteDatabase(dir.resolve("pragma.db"));
        try {
            assertEquals("wal", db.pragma("journal_mode"));
            assertEquals("2", db.pragma("synchronous"));
            assertEquals("1", db.pragma("foreign_keys"));
        } finally {
            db.close();
        }
    }
}
