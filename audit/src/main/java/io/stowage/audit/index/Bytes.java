package io.stowage.audit.index;

/**
 * Short searches in byte arrays: within one line, or back from the end of a buffer to its last
 * newline. Long ones go through {@link LineChunk}.
 */
final class Bytes {

    private Bytes() {
    }

    /** The last index of {@code b} in {@code [from, to)}, or -1. */
    static int lastIndexOf(byte[] a, int from, int to, byte b) {
        for (int i = to - 1; i >= from; i--) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** The first index in {@code [from, to)} where {@code text} starts and ends within it, or -1. */
    static int indexOf(byte[] a, int from, int to, byte[] text) {
        if (text.length == 0) {
            return from <= to ? from : -1;
        }
        byte first = text[0];
        int last = to - text.length;
        for (int i = from; i <= last; i++) {
            if (a[i] == first && matchesAt(a, i, text)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean matchesAt(byte[] a, int at, byte[] text) {
        for (int j = 1; j < text.length; j++) {
            if (a[at + j] != text[j]) {
                return false;
            }
        }
        return true;
    }
}
