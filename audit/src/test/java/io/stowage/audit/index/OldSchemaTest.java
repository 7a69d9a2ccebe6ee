package io.stowage.audit.index;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** An index file written by the previous schema (a row per record) is dropped and rebuilt from the segments. */
class OldSchemaTest {
    /** The tables of schema version 2, as that version created them. */
    private static final String[] VERSION_2 = {
            """
            CREATE TABLE records (seq INTEGER PRIMARY KEY, time_us INTEGER NOT NULL, actor TEXT, action TEXT NOT NULL,
                repository TEXT, status INTEGER, kind TEXT NOT NULL, segment INTEGER NOT NULL,
                line_offset INTEGER NOT NULL, line_length INTEGER NOT NULL)""",
            """
            CREATE TABLE value_blocks (name TEXT NOT NULL, value TEXT NOT NULL, block INTEGER NOT NULL,
                PRIMARY KEY (name, value, block)) WITHOUT ROWID""",
            "CREATE TABLE time_blocks (block INTEGER PRIMARY KEY, min_time_us INTEGER NOT NULL, max_time_us INTEGER NOT NULL)",
            "CREATE TABLE segments (number INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL)",
            """
            CREATE TABLE position (id INTEGER PRIMARY KEY CHECK (id = 1), last_seq INTEGER NOT NULL,
                segment INTEGER NOT NULL, line_offset INTEGER NOT NULL, line_length INTEGER NOT NULL,
                last_hash TEXT NOT NULL)""",
            "PRAGMA user_version = 2"};

    @TempDir
    Path root;

    @Test
    void anIndexOfTheVersionBeforeRunsIsDroppedAndRebuilt() throws Exception {
        Path auditDir = root.resolve("audit");
        SegmentLines lines = new SegmentLines(auditDir);
        for (long seq = 1; seq <= 5000; seq++) {
            if (seq == 2500) {
                lines.newSegment();
            }
            lines.append(seq, new AuditEntry(AuditEntry.REQUEST, Instant.parse("2024-03-01T00:00:00Z").plusSeconds(seq),
                    null, "user" + seq % 4, null, "GET", "/v2/", seq % 5 == 0 ? "manifest.put" : "manifest.get",
                    "team/app" + seq % 3, null, null, seq % 7 == 0 ? 404 : 200, null, null, null, null, null));
        }
        // A version-2 index that claims the whole log but holds only its first ten records: trusted, it would answer ten.
        Path dbFile = root.resolve("index.db");
        AuditLog.WrittenRecord last = lines.written().get(lines.written().size() - 1);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile)) {
            try (Statement st = c.createStatement()) {
                for (String ddl : VERSION_2) {
                    st.executeUpdate(ddl);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO records VALUES (?, 0, NULL, 'manifest.get', "
                    + "NULL, 200, 'request', 1, ?, ?)")) {
                for (AuditLog.WrittenRecord w : lines.written().subList(0, 10)) {
                    ps.setLong(1, w.record().seq());
                    ps.setLong(2, w.offset());
                    ps.setInt(3, w.length());
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO position VALUES (1, ?, ?, ?, ?, ?)")) {
                ps.setLong(1, last.record().seq());
                ps.setLong(2, last.segment());
                ps.setLong(3, last.offset());
                ps.setInt(4, last.length());
                ps.setString(5, last.record().hash());
                ps.executeUpdate();
            }
        }

        try (AuditIndex index = AuditIndex.open(dbFile, auditDir)) {
            assertEquals(5000, index.catchUp(), "everything indexed again");
            LogTruth truth = LogTruth.read(auditDir);
            for (AuditQuery query : List.of(AuditQuery.all(), AuditQuery.all().withRepository("team/app1"),
                    AuditQuery.all().withActor("user2").withStatus(404), AuditQuery.all().withAction("manifest.put")
                            .withTimeRange(Instant.parse("2024-03-01T00:10:00Z"), Instant.parse("2024-03-01T01:00:00Z")))) {
                List<Long> found = new ArrayList<>();
                index.forEach(query, r -> found.add(r.seq()));
                assertEquals(truth.expected(query).stream().map(RecordLocation::seq).toList(), found, query.toString());
            }
            assertEquals(List.of(1L, 2500L, 4096L), LogTruth.runs(dbFile).stream().map(Run::firstSeq).toList());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile)) {
            assertEquals(IndexSchema.VERSION, userVersion(c));
            assertFalse(tableExists(c, "records"), "the table of version 2 is gone");
        }
    }

    private static int userVersion(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : -1;
        }
    }

    private static boolean tableExists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
