package io.stowage.storage.meta;

import org.sqlite.SQLiteConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Build step (storage's {@code process-classes} phase): runs the SQLite migrations with Flyway on
 * an empty database and writes it and its history where {@link SqliteSchemaTemplate} looks for
 * them, under the class output folder given as the only argument.
 */
public final class SqliteSchemaTemplateBuilder {
    /** Flyway logs through java.util.logging here (no SLF4J binding at build time): warnings only. */
    private static final java.util.logging.Logger FLYWAY_LOG = java.util.logging.Logger.getLogger("org.flywaydb");

    private SqliteSchemaTemplateBuilder() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: SqliteSchemaTemplateBuilder <classes folder>");
        }
        FLYWAY_LOG.setLevel(java.util.logging.Level.WARNING);
        build(Path.of(args[0]));
    }

    static void build(Path classes) throws IOException, SQLException {
        Path work = Files.createTempDirectory("stowage-schema-template");
        try {
            Path file = work.resolve("metadata.db");
            SqliteDatabase.migrate(file);
            List<String> history;
            SQLiteConfig config = new SQLiteConfig();
            try (Connection connection = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
                 Statement st = connection.createStatement()) {
                history = SqliteSchemaTemplate.historyOf(connection);
                // Everything into the main file, so that the one file is the whole database.
                st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            if (history.isEmpty()) {
                throw new IllegalStateException("Flyway applied no migration to the template");
            }
            Path database = classes.resolve(SqliteSchemaTemplate.DATABASE);
            Files.createDirectories(database.getParent());
            Files.copy(file, database, StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(classes.resolve(SqliteSchemaTemplate.HISTORY), String.join("\n", history) + "\n",
                    StandardCharsets.UTF_8);
        } finally {
            try (var paths = Files.walk(work)) {
                for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }
}
