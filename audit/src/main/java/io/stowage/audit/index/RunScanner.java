package io.stowage.audit.index;

import io.stowage.audit.MalformedRecordException;
import io.stowage.audit.SegmentFiles;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Reads runs ({@link Run}) back from the segments and picks out the lines of the records a query
 * asks for. The index keeps no values per record, so this is where a query's conditions are
 * tested: a run is read a chunk of whole lines at a time (a first page reads little more than it
 * shows), the line of the first record in range is found by counting newlines, and then either
 * every line is taken or parsed in turn, or, when a condition has a text to look for
 * ({@link LineFilter#anchor()}), the bytes are searched for it and only the lines that hold it
 * are parsed: a rare value costs one pass over the bytes and a parse per hit.
 *
 * <p>The segments stay the truth: a run that is not what the index says (its segment gone or
 * shorter, a line that is no record or not the one expected) is a {@link StaleIndexException},
 * answered like a record that is not where the index says: by a rebuild.
 */
final class RunScanner {
    /** Bytes read at a time; grown for a line that does not fit. */
    private static final int CHUNK = 1 << 18;

    private final SegmentReader segments;
    private final LineFilter filter;
    private byte[] buffer = new byte[CHUNK];

    RunScanner(SegmentReader segments, LineFilter filter) {
        this.segments = segments;
        this.filter = filter;
    }

    /**
     * Adds to {@code found} the locations of the run's records in [{@code from}, {@code to}) that
     * match, in seq order, until it holds {@code max}.
     */
    void scan(Run run, long from, long to, int max, List<RecordLocation> found) throws IOException {
        Pass pass = new Pass(run, Math.max(from, run.firstSeq()), Math.min(to, run.lastSeq() + 1), max, found);
        long position = run.offset();
        long unread = run.byteLength();
        int filled = 0;
        while (unread > 0 && !pass.done()) {
            if (filled == buffer.length) {
                buffer = Arrays.copyOf(buffer, buffer.length * 2);
            }
            int n = (int) Math.min(buffer.length - filled, unread);
            if (!segments.readFully(run.segment(), position + filled, buffer, filled, n)) {
                throw stale(run, "the segment ends first");
            }
            filled += n;
            unread -= n;
            int complete = Bytes.lastIndexOf(buffer, 0, filled, (byte) '\n') + 1;
            if (complete > 0) {
                pass.lines(new LineChunk(buffer, complete, position));
                System.arraycopy(buffer, complete, buffer, 0, filled - complete);
                position += complete;
                filled -= complete;
            }
        }
        if (!pass.done()) {
            if (filled > 0) {
                throw stale(run, "its last line has no newline");
            }
            pass.finish();
        }
    }

    private static StaleIndexException stale(Run run, String what) {
        return new StaleIndexException("records " + run.firstSeq() + " to " + run.lastSeq() + " were indexed at bytes "
                + run.offset() + " to " + run.end() + " of " + SegmentFiles.name(run.segment()) + ", but " + what);
    }

    /** One run's scan: which seq the next line has, and whether the scan is over. */
    private final class Pass {
        private final Run run;
        private final long start;
        private final long stop;
        private final int max;
        private final List<RecordLocation> found;
        /** The seq of the next line, while lines are counted (up to {@link #start}, and then throughout without an anchor). */
        private long nextSeq;
        /** The last seq parsed, which the next must exceed. */
        private long parsed;
        private boolean done;

        Pass(Run run, long start, long stop, int max, List<RecordLocation> found) {
            this.run = run;
            this.start = start;
            this.stop = stop;
            this.max = max;
            this.found = found;
            this.nextSeq = run.firstSeq();
            this.parsed = start - 1;
            this.done = start >= stop || found.size() >= max;
        }

        boolean done() {
            return done;
        }

        /** Takes the chunk's lines: skips those before {@link #start}, then tests the rest. */
        void lines(LineChunk chunk) {
            int pos = 0;
            while (nextSeq < start && pos < chunk.end()) {
                pos = chunk.lineEnd(pos) + 1;
                nextSeq++;
            }
            if (nextSeq < start) {
                return;
            }
            if (filter.anchor() == null) {
                count(chunk, pos);
            } else {
                search(chunk, pos);
            }
        }

        /** Once every byte is read: a run whose lines were all counted must have had as many as it says. */
        void finish() {
            if (filter.anchor() == null && nextSeq != run.lastSeq() + 1) {
                throw stale(run, "they are " + (nextSeq - run.firstSeq()) + " lines");
            }
        }

        /** Every line in turn: taken as it is when the query has no condition, else parsed and tested. */
        private void count(LineChunk chunk, int pos) {
            while (pos < chunk.end()) {
                int lineEnd = chunk.lineEnd(pos);
                long seq = nextSeq++;
                if (seq >= stop) {
                    done = true;
                    return;
                }
                if (filter.unconditional()) {
                    take(seq, chunk.offset(pos), lineEnd - pos);
                } else {
                    IndexRow row = parse(chunk, pos, lineEnd);
                    if (row.seq() != seq) {
                        throw stale(run, "line " + (seq - run.firstSeq()) + " is record " + row.seq());
                    }
                    if (filter.matches(row)) {
                        take(seq, chunk.offset(pos), lineEnd - pos);
                    }
                }
                if (done) {
                    return;
                }
                pos = lineEnd + 1;
            }
        }

        /** Only the lines that hold the anchor text, parsed and tested. */
        private void search(LineChunk chunk, int pos) {
            String anchor = filter.anchor();
            while (pos < chunk.end()) {
                int hit = chunk.find(anchor, pos);
                if (hit < 0) {
                    return;
                }
                int lineStart = chunk.lineStart(hit, pos);
                int lineEnd = chunk.lineEnd(hit);
                if (filter.holdsTheOtherTexts(chunk.bytes(), lineStart, lineEnd)) {
                    IndexRow row = parse(chunk, lineStart, lineEnd);
                    if (row.seq() <= parsed || row.seq() > run.lastSeq()) {
                        throw stale(run, "record " + row.seq() + " is among them after record " + parsed);
                    }
                    parsed = row.seq();
                    if (row.seq() >= stop) {
                        done = true;
                        return;
                    }
                    if (filter.matches(row)) {
                        take(row.seq(), chunk.offset(lineStart), lineEnd - lineStart);
                        if (done) {
                            return;
                        }
                    }
                }
                pos = lineEnd + 1;
            }
        }

        private void take(long seq, long offset, int length) {
            found.add(new RecordLocation(seq, run.segment(), offset, length));
            done = found.size() >= max;
        }

        private IndexRow parse(LineChunk chunk, int from, int to) {
            try {
                return RowParser.parse(chunk.bytes(), from, to - from, run.segment(), chunk.offset(from)).row();
            } catch (MalformedRecordException e) {
                throw stale(run, "the line at byte " + chunk.offset(from) + " is no record");
            }
        }
    }
}
