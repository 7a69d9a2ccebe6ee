package io.stowage.audit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Names and reading of the files in an audit directory: {@code segment-000001.log} onwards, one
 * record per line, and {@code head.json}, a copy of the newest checkpoint.
 */
public final class SegmentFiles {
    public static final String HEAD_FILE = "head.json";
    private static final Pattern NAME = Pattern.compile("segment-(\\d{6,})\\.log");

    private SegmentFiles() {
    }

    public static String name(long number) {
        return String.format("segment-%06d.log", number);
    }

    /** The number of a segment file name, or -1 when the name is not one. */
    public static long number(String fileName) {
        Matcher m = NAME.matcher(fileName);
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The segment files of {@code dir}, oldest first. */
    public static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> number(p.getFileName().toString()) >= 0)
                    .sorted((a, b) -> Long.compare(number(a.getFileName().toString()), number(b.getFileName().toString())))
                    .toList();
        }
    }

    /** One line of a segment: its bytes without the newline, where it starts, and whether a newline ended it. */
    public record Line(byte[] bytes, long offset, boolean complete) {
    }

    /** What to do with each line of a segment; return false to stop reading. */
    @FunctionalInterface
    public interface LineVisitor {
        boolean visit(Line line) throws IOException;
    }

    /** Reads a segment line by line, streaming; a last line without a newline is passed as incomplete. */
    public static void readLines(Path segment, long fromOffset, LineVisitor visitor) throws IOException {
        try (InputStream raw = Files.newInputStream(segment)) {
            raw.skipNBytes(fromOffset);
            InputStream in = new BufferedInputStream(raw, 1 << 16);
            ByteArrayOutputStream line = new ByteArrayOutputStream(512);
            long offset = fromOffset;
            long lineStart = offset;
            int b;
            while ((b = in.read()) >= 0) {
                offset++;
                if (b == '\n') {
                    if (!visitor.visit(new Line(line.toByteArray(), lineStart, true))) {
                        return;
                    }
                    line.reset();
                    lineStart = offset;
                } else {
                    line.write(b);
                }
            }
            if (line.size() > 0) {
                visitor.visit(new Line(line.toByteArray(), lineStart, false));
            }
        }
    }

    /** All complete lines of a segment, for small segments and tests. */
    public static List<Line> readAll(Path segment) throws IOException {
        List<Line> lines = new ArrayList<>();
        readLines(segment, 0, line -> lines.add(line));
        return lines;
    }
}
