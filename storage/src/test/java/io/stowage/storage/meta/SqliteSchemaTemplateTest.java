package io.stowage.storage.meta;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build's schema template ({@code process-classes} makes it before the tests run) must be
 * exactly what Flyway makes, and must never stand in for a migration Flyway would have run or
 * refused.
 */
class SqliteSchemaTemplateTest {
    @TempDir
    Path dir;

    @Test
    void theBuildMadeATemplateWithEveryMigration() throws Exception {
        SqliteSchemaTemplate template = SqliteSchemaTemplate.load().orElseThrow(
                () -> new AssertionError("no " + SqliteSchemaTemplate.DATABASE + " on the class path: the build's "
                        + "process-classes step did not run"));
        long scripts;
        try (var files = Files.list(Path.of("src/main/resources/db/migration"))) {
            scripts = files.filter(f -> f.getFileName().toString().endsWith(".sql")).count();
        }
        Path file = dir.resolve("new.db");
        assertTrue(template.copyIfAbsent(file));
        try (Connection connection = connect(file)) {
            assertEquals(scripts, SqliteSchemaTemplate.historyOf(connection).size());
            assertTrue(template.isCurrent(connection));
        }
    }

    @Test
    void aNewDatabaseIsTheTemplateAndHasTheSchemaFlywayMakes() throws Exception {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Path copied = dir.resolve("copied.db");
        open(copied, SqliteDatabase.Schema.COPIED);

        Path migrated = dir.resolve("migrated.db");
        SqliteDatabase.migrate(migrated);

        assertEquals(schemaOf(migrated), schemaOf(copied));
        assertEquals(historyWithDescriptions(migrated), historyWithDescriptions(copied));
        try (Connection connection = connect(copied); Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT min(installed_on) FROM flyway_schema_history")) {
            assertTrue(rs.next());
            LocalDateTime installed = LocalDateTime.parse(rs.getString(1).replace(' ', 'T'), DateTimeFormatter.ISO_LOCAL_DATE_TIME);
            assertFalse(installed.toInstant(ZoneOffset.UTC).isBefore(before),
                    "the history says when this database was made, not when the build made the template: " + installed);
        }
    }

    @Test
    void aCurrentDatabaseOpensWithoutFlywayAndKeepsItsData() throws Exception {
        Path file = dir.resolve("registry.db");
        SqliteDatabase first = open(file, SqliteDatabase.Schema.COPIED);
        try {
            first.write(c -> {
                try (Statement st = c.createStatement()) {
                    return st.executeUpdate("INSERT INTO repositories (name, created_at) VALUES ('kept', 1)");
                }
            });
        } finally {
            first.close();
        }
        SqliteDatabase again = open(file, SqliteDatabase.Schema.CURRENT);
        try {
            assertEquals("kept", again.read(c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT name FROM repositories")) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }));
        } finally {
            again.close();
        }
    }

    @Test
    void aDatabaseOfAnOlderBuildIsMigratedByFlyway() throws Exception {
        Path file = dir.resolve("old.db");
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        var source = new org.sqlite.SQLiteDataSource(config);
        source.setUrl("jdbc:sqlite:" + file);
        Flyway.configure().dataSource(source).locations("classpath:db/migration").target("5").load().migrate();
        assertEquals(5, historyWithDescriptions(file).size());

        open(file, SqliteDatabase.Schema.MIGRATED);

        Path reference = dir.resolve("reference.db");
        SqliteDatabase.migrate(reference);
        assertEquals(schemaOf(reference), schemaOf(file));
        open(file, SqliteDatabase.Schema.CURRENT);
    }

    @Test
    void anEditedMigrationIsStillRefusedByFlyway() throws Exception {
        Path file = dir.resolve("edited.db");
        open(file, SqliteDatabase.Schema.COPIED);
        try (Connection connection = connect(file); Statement st = connection.createStatement()) {
            st.executeUpdate("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '3'");
        }
        MetadataStoreException refused = assertThrows(MetadataStoreException.class, () -> new SqliteDatabase(file));
        assertTrue(String.valueOf(rootCause(refused).getMessage()).contains("checksum mismatch"),
                "Flyway's validation names the edited migration: " + rootCause(refused));
    }

    @Test
    void aLeftoverWriteAheadLogIsNeverPutUnderACopiedDatabase() throws Exception {
        Path file = dir.resolve("lost.db");
        Files.writeString(dir.resolve("lost.db-wal"), "");
        assertFalse(SqliteSchemaTemplate.load().orElseThrow().copyIfAbsent(file));
        assertFalse(Files.exists(file));
    }

    @Test
    void anExistingDatabaseIsNeverReplaced() throws Exception {
        Path file = dir.resolve("there.db");
        Files.writeString(file, "not a template");
        assertFalse(SqliteSchemaTemplate.load().orElseThrow().copyIfAbsent(file));
        assertEquals("not a template", Files.readString(file));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    private static SqliteDatabase open(Path file, SqliteDatabase.Schema expected) {
        SqliteDatabase db = new SqliteDatabase(file);
        assertEquals(expected, db.schema());
        return db;
    }

    private static Connection connect(Path file) throws SQLException {
        return new SQLiteConfig().createConnection("jdbc:sqlite:" + file);
    }

    /** Every table, index, trigger and view with its SQL, as SQLite keeps it. */
    private static List<String> schemaOf(Path file) throws SQLException {
        return rows(file, "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name", 4);
    }

    private static List<String> historyWithDescriptions(Path file) throws SQLException {
        return rows(file, "SELECT installed_rank, version, description, type, script, checksum, success "
                + "FROM flyway_schema_history ORDER BY installed_rank", 7);
    }

    private static List<String> rows(Path file, String query, int columns) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = connect(file); Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery(query)) {
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    row.append(rs.getString(i)).append('|');
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
