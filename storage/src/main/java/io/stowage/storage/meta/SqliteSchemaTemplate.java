package io.stowage.storage.meta;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQLite schema as the build's own Flyway run left it, so that a start need not load Flyway
 * when there is nothing to migrate.
 *
 * <p>Flyway is the one thing that changes the schema: at build time {@link SqliteSchemaTemplateBuilder}
 * runs the {@code db/migration} scripts with it on an empty database and keeps the result
 * ({@value #DATABASE}) and its history ({@value #HISTORY}: version, script and checksum of each
 * applied migration). At start-up:
 * <ul>
 *   <li>a data directory without a database gets a copy of that database instead of running the
 *       migrations again (Flyway's class-path scan, SQL parser and some 900 classes were a quarter
 *       of a start on an empty data directory);</li>
 *   <li>a database whose history equals the build's, row for row, is current and opens without
 *       Flyway; anything else (older, newer, a failed or edited migration) goes to Flyway as before,
 *       which migrates it or refuses it.</li>
 * </ul>
 * Classes run outside the build's jar (an IDE) have no template and always use Flyway.
 */
final class SqliteSchemaTemplate {
    static final String DATABASE = "db/sqlite-template/metadata.db";
    static final String HISTORY = "db/sqlite-template/history.tsv";

    private static final String HISTORY_QUERY =
            "SELECT version, script, checksum, success FROM flyway_schema_history ORDER BY installed_rank";

    private final List<String> history;

    private SqliteSchemaTemplate(List<String> history) {
        this.history = List.copyOf(history);
    }

    /** The build's template, or empty when these classes were built without one. */
    static Optional<SqliteSchemaTemplate> load() {
        try (InputStream in = resource(HISTORY)) {
            if (in == null || SqliteSchemaTemplate.class.getClassLoader().getResource(DATABASE) == null) {
                return Optional.empty();
            }
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.isBlank()).toList();
            return lines.isEmpty() ? Optional.empty() : Optional.of(new SqliteSchemaTemplate(lines));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + HISTORY, e);
        }
    }

    /**
     * Puts the template at {@code file} if there is no database there yet; true when it did. A
     * write-ahead log without its database (a database deleted by hand) is left to SQLite and
     * Flyway as before: copying a database under it could replay foreign frames into the copy.
     * Two processes starting on one new directory: the first move wins, the other keeps its
     * database.
     */
    boolean copyIfAbsent(Path file) throws IOException {
        if (Files.exists(file) || Files.exists(sibling(file, "-wal")) || Files.exists(sibling(file, "-journal"))) {
            return false;
        }
        Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".metadata-", ".tmp");
        try {
            try (InputStream in = resource(DATABASE)) {
                if (in == null) {
                    return false;
                }
                Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            }
            force(temp, StandardOpenOption.WRITE);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            // The database's name must survive a power cut as its content does.
            force(file.toAbsolutePath().getParent(), StandardOpenOption.READ);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** True when the database's migration history is the build's, row for row, all successful. */
    boolean isCurrent(Connection connection) throws SQLException {
        return history.equals(historyOf(connection));
    }

    /** The history rows of a database as this class compares them (empty when it has no history table). */
    static List<String> historyOf(Connection connection) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement st = connection.createStatement()) {
            try (ResultSet tables = st.executeQuery(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'flyway_schema_history'")) {
                if (!tables.next()) {
                    return rows;
                }
            }
            try (ResultSet rs = st.executeQuery(HISTORY_QUERY)) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + '\t' + rs.getString(2) + '\t' + rs.getString(3) + '\t' + rs.getInt(4));
                }
            }
        }
        return rows;
    }

    /**
     * The copy says when the build made it; this makes the history say when this database was
     * created, as a migration run here would have. Part of the caller's transaction.
     */
    static void stampInstalledNow(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.executeUpdate("UPDATE flyway_schema_history SET installed_on = strftime('%Y-%m-%d %H:%M:%f', 'now')");
        }
    }

    private static void force(Path path, StandardOpenOption mode) throws IOException {
        try (FileChannel channel = FileChannel.open(path, mode)) {
            channel.force(true);
        }
    }

    private static Path sibling(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    private static InputStream resource(String name) {
        return SqliteSchemaTemplate.class.getClassLoader().getResourceAsStream(name);
    }
}
