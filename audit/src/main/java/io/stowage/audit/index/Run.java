package io.stowage.audit.index;

/**
 * Consecutive records whose lines lie back to back in one segment and within one block of
 * sequence numbers ({@link IndexSchema#BLOCK_BITS}): what one row of the {@code runs} table says.
 * That is all a query needs to find a record's line: the bytes of the run, split at the newlines,
 * are the records {@code firstSeq} to {@code lastSeq} in order.
 *
 * @param offset     where the first line starts in the segment
 * @param byteLength the bytes of all its lines, each with its newline
 */
record Run(long firstSeq, long lastSeq, long segment, long offset, long byteLength) {

    /** The run of one record's line. */
    static Run of(RecordLocation line) {
        return new Run(line.seq(), line.seq(), line.segment(), line.offset(), line.length() + 1L);
    }

    /** The byte after the last line's newline. */
    long end() {
        return offset + byteLength;
    }

    /**
     * Whether {@code next} can be joined onto this run: it continues the sequence, in the same
     * segment and block, and its bytes start right after this run's last newline.
     */
    boolean continuedBy(Run next) {
        return next.firstSeq == lastSeq + 1
                && next.segment == segment
                && IndexSchema.block(next.lastSeq) == IndexSchema.block(firstSeq)
                && next.offset == end();
    }

    /** This run with {@code next} joined on; only when {@link #continuedBy} says so. */
    Run join(Run next) {
        return new Run(firstSeq, next.lastSeq, segment, offset, byteLength + next.byteLength);
    }
}
