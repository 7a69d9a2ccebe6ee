package io.stowage.audit.index;

import java.nio.charset.StandardCharsets;

/**
 * Whole lines of a run, as read into a buffer, with the searches a scan needs. The searches go
 * through a Latin-1 string of the bytes: {@link String#indexOf} is a vectorised intrinsic of the
 * JVM, several times faster than a loop over a byte array (which a scan of a block of lines spent
 * most of its time in), and a search for ASCII text finds the same places in the Latin-1 string as
 * in the bytes. The copy into the string costs a fraction of what it saves.
 */
final class LineChunk {
    private final byte[] bytes;
    private final int end;
    private final long base;
    private final String text;

    /** The lines in {@code [0, end)} of {@code bytes}, the last ending with its newline at {@code end - 1}, which start at byte {@code base} of the segment. */
    LineChunk(byte[] bytes, int end, long base) {
        this.bytes = bytes;
        this.end = end;
        this.base = base;
        this.text = new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
    }

    byte[] bytes() {
        return bytes;
    }

    int end() {
        return end;
    }

    /** Where byte {@code at} of the chunk is in the segment. */
    long offset(int at) {
        return base + at;
    }

    /** The newline that ends the line holding byte {@code at}. */
    int lineEnd(int at) {
        return text.indexOf('\n', at);
    }

    /** The start of the line holding byte {@code at}, but not before {@code notBefore} (a line start). */
    int lineStart(int at, int notBefore) {
        return Math.max(notBefore, text.lastIndexOf('\n', at - 1) + 1);
    }

    /** The first place from {@code from} where the ASCII {@code text} is, or -1. */
    int find(String ascii, int from) {
        return text.indexOf(ascii, from);
    }
}
