package io.stowage.audit.index;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditLog;
import io.stowage.audit.AuditRecord;
import io.stowage.audit.RecordCodec;
import io.stowage.audit.SegmentFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes chained records straight into segment files, where the test says a segment ends, and
 * remembers where each line went: for tests that decide exactly which lines share a segment or a
 * batch, which a real log (rotating by size, batching by timing) does not let them.
 */
final class SegmentLines {
    private final Path dir;
    private final List<AuditLog.WrittenRecord> written = new ArrayList<>();
    private long segment;
    private long offset;
    private String prevHash = AuditRecord.GENESIS_HASH;

    /** Starts segment 1 in {@code dir}. */
    SegmentLines(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        newSegment();
    }

    /** Every record written, in order, with where its line is. */
    List<AuditLog.WrittenRecord> written() {
        return written;
    }

    /** Later records go to the next segment. */
    void newSegment() throws IOException {
        segment++;
        offset = 0;
        Files.write(dir.resolve(SegmentFiles.name(segment)), new byte[0]);
    }

    /** Appends the record of {@code entry} with the given seq (not necessarily the next) to the current segment. */
    AuditLog.WrittenRecord append(long seq, AuditEntry entry) throws IOException {
        AuditRecord record = RecordCodec.seal(seq, null, entry, prevHash);
        prevHash = record.hash();
        byte[] line = RecordCodec.line(record);
        try (OutputStream out = Files.newOutputStream(dir.resolve(SegmentFiles.name(segment)), StandardOpenOption.APPEND)) {
            out.write(line);
            out.write('\n');
        }
        AuditLog.WrittenRecord w = new AuditLog.WrittenRecord(record, segment, offset, line.length);
        offset += line.length + 1;
        written.add(w);
        return w;
    }

    /** The index row of a written record, as catch-up would parse it from its line. */
    static IndexRow row(AuditLog.WrittenRecord w) {
        return RowParser.parse(RecordCodec.line(w.record()), w.segment(), w.offset()).row();
    }

    static IndexPosition position(AuditLog.WrittenRecord w) {
        return new IndexPosition(new RecordLocation(w.record().seq(), w.segment(), w.offset(), w.length()),
                w.record().hash());
    }
}
