package io.stowage.audit.index;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditLog;
import io.stowage.audit.AuditRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Rows of records the log has just made durable, handed over by its writer so that catch-up
 * need not read and parse those lines back (that was three quarters of its work under a flood
 * of reads). The segments stay the truth: a row that does not fit (a full queue dropped some,
 * the index was rebuilt meanwhile) is thrown away and catch-up reads that part of the log
 * instead. Thread-safe.
 */
final class FedRows {
    /** A row and its record's hash, which becomes the index position once the row is stored. */
    record Fed(IndexRow row, String hash) {
    }

    private final ArrayBlockingQueue<Fed> queue;

    FedRows(int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    /** Takes rows from the log's writer thread; never blocks (a full queue drops the rest). */
    void offer(List<AuditLog.WrittenRecord> written) {
        for (AuditLog.WrittenRecord w : written) {
            if (!queue.offer(toFed(w))) {
                return;
            }
        }
    }

    /**
     * Everything queued now that continues the index gap-free after {@code lastSeq}, in seq
     * order; rows at or before it are dropped, and so is everything from the first gap on.
     */
    List<Fed> drainAfter(long lastSeq) {
        List<Fed> all = new ArrayList<>(queue.size());
        queue.drainTo(all);
        List<Fed> continuing = new ArrayList<>(all.size());
        long expected = lastSeq + 1;
        for (Fed fed : all) {
            long seq = fed.row().seq();
            if (seq < expected) {
                continue;
            }
            if (seq != expected) {
                break;
            }
            continuing.add(fed);
            expected++;
        }
        return continuing;
    }

    void clear() {
        queue.clear();
    }

    private static Fed toFed(AuditLog.WrittenRecord w) {
        AuditRecord record = w.record();
        AuditEntry e = record.entry();
        IndexRow row = new IndexRow(record.seq(), Micros.floor(e.time()), e.actor(), e.action(), e.repository(),
                e.status(), e.kind(), new RecordLocation(record.seq(), w.segment(), w.offset(), w.length()));
        return new Fed(row, record.hash());
    }
}
