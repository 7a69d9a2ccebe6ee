package io.stowage.audit.index;

/**
 * How far the index has read: the last record it indexed, where its line is and its hash.
 * Catch-up continues right after that line, and first checks that the line is still there with
 * that hash, so an index is never trusted against segments other than the ones it was built from.
 */
record IndexPosition(RecordLocation last, String lastHash) {

    long lastSeq() {
        return last.seq();
    }

    long segment() {
        return last.segment();
    }

    /** The byte after the last indexed line's newline. */
    long endOffset() {
        return last.offset() + last.length() + 1;
    }
}
