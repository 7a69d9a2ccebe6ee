package io.stowage.audit.index;

import io.stowage.audit.AuditRecord;
import io.stowage.audit.MalformedRecordException;
import io.stowage.audit.RecordCodec;
import io.stowage.audit.SegmentFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads records, and the bytes of runs of them, back from the segments by their indexed location:
 * positioned reads, each segment opened once per reader. The segments stay the source of truth:
 * a record that is not where the index says (its segment purged, its line different) is reported
 * as a stale index, never returned.
 */
final class SegmentReader implements AutoCloseable {
    private final Path directory;
    private final Map<Long, FileChannel> channels = new HashMap<>();

    SegmentReader(Path directory) {
        this.directory = directory;
    }

    AuditRecord read(RecordLocation location) throws IOException {
        byte[] line = new byte[location.length()];
        if (!readFully(location.segment(), location.offset(), line, 0, line.length)) {
            throw stale(location, "the segment ends first");
        }
        AuditRecord record;
        try {
            record = RecordCodec.fromMap(RecordCodec.parse(line));
        } catch (MalformedRecordException e) {
            throw stale(location, "no record is there");
        }
        if (record.seq() != location.seq()) {
            throw stale(location, "record " + record.seq() + " is there");
        }
        return record;
    }

    /**
     * Reads {@code length} bytes of a segment from {@code offset} into {@code into} at {@code at}.
     *
     * @return false when the segment ends first
     * @throws StaleIndexException when the segment is gone
     */
    boolean readFully(long segment, long offset, byte[] into, int at, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(into, at, length);
        FileChannel channel = channel(segment);
        long position = offset;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position);
            if (n < 0) {
                return false;
            }
            position += n;
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (FileChannel channel : channels.values()) {
            try {
                channel.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        channels.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private FileChannel channel(long segment) throws IOException {
        FileChannel channel = channels.get(segment);
        if (channel == null) {
            try {
                channel = FileChannel.open(directory.resolve(SegmentFiles.name(segment)), StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                throw new StaleIndexException("segment " + SegmentFiles.name(segment) + " is gone");
            }
            channels.put(segment, channel);
        }
        return channel;
    }

    private static StaleIndexException stale(RecordLocation location, String what) {
        return new StaleIndexException("record " + location.seq() + " was indexed at byte " + location.offset()
                + " of " + SegmentFiles.name(location.segment()) + ", but " + what);
    }
}
