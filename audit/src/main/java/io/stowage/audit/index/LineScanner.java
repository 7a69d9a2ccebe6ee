package io.stowage.audit.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads the complete lines of a segment from an offset, a megabyte at a time. Indexing reads
 * every byte of the log, and {@code SegmentFiles.readLines} (one stream call per byte, meant for
 * recovery and verification) made that several times slower than parsing the records.
 */
final class LineScanner {
    private static final int CHUNK = 1 << 20;

    /** What to do with each complete line; {@code offset} is where the line starts in the file. */
    @FunctionalInterface
    interface Visitor {
        void line(byte[] bytes, long offset) throws IOException;
    }

    private LineScanner() {
    }

    /**
     * Hands each newline-terminated line from {@code from} to {@code visitor}, without its newline.
     *
     * @return true when the file ends with a newline, false when it ends in a line still being written
     */
    static boolean scan(Path file, long from, Visitor visitor) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            byte[] buffer = new byte[CHUNK];
            int filled = 0;
            long bufferStart = from;
            long position = from;
            while (true) {
                if (filled == buffer.length) {
                    buffer = Arrays.copyOf(buffer, buffer.length * 2);
                }
                int n = channel.read(ByteBuffer.wrap(buffer, filled, buffer.length - filled), position);
                if (n < 0) {
                    return filled == 0;
                }
                position += n;
                int scanFrom = filled;
                filled += n;
                int lineStart = 0;
                for (int i = scanFrom; i < filled; i++) {
                    if (buffer[i] == '\n') {
                        visitor.line(Arrays.copyOfRange(buffer, lineStart, i), bufferStart + lineStart);
                        lineStart = i + 1;
                    }
                }
                System.arraycopy(buffer, lineStart, buffer, 0, filled - lineStart);
                filled -= lineStart;
                bufferStart += lineStart;
            }
        }
    }
}
