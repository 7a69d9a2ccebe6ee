package io.stowage.audit.index;

import io.stowage.audit.AuditRecord;
import io.stowage.audit.RecordCodec;
import io.stowage.audit.SegmentFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What the index must answer, worked out the slow way: every complete line of every segment
 * parsed in full and filtered in Java ({@link LogFixture#matches}); and what the index stored,
 * read through a connection of its own.
 */
final class LogTruth {
    /** A record and where its line is. */
    record Line(AuditRecord record, RecordLocation location) {
    }

    private final List<Line> lines;

    private LogTruth(List<Line> lines) {
        this.lines = lines;
    }

    static LogTruth read(Path auditDir) throws IOException {
        List<Line> lines = new ArrayList<>();
        for (Path segment : SegmentFiles.list(auditDir)) {
            long number = SegmentFiles.number(segment.getFileName().toString());
            for (SegmentFiles.Line line : SegmentFiles.readAll(segment)) {
                if (line.complete()) {
                    AuditRecord record = RecordCodec.fromMap(RecordCodec.parse(line.bytes()));
                    lines.add(new Line(record, new RecordLocation(record.seq(), number, line.offset(), line.bytes().length)));
                }
            }
        }
        return new LogTruth(lines);
    }

    List<Line> lines() {
        return lines;
    }

    /** The locations of every record the query matches (ignoring its limit), in seq order. */
    List<RecordLocation> expected(AuditQuery q) {
        var matches = LogFixture.matches(q);
        return lines.stream().filter(l -> matches.test(l.record())).map(Line::location).toList();
    }

    /** The rows of the runs table in an index file, in seq order. */
    static List<Run> runs(Path dbFile) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile.toAbsolutePath());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT " + RunTable.COLUMNS + " FROM runs ORDER BY first_seq")) {
            List<Run> runs = new ArrayList<>();
            while (rs.next()) {
                runs.add(RunTable.read(rs));
            }
            return runs;
        }
    }
}
