package io.stowage.audit.index;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditRecord;

/** The columns the index keeps of one record: the values queries filter on, and where its line is. */
record IndexRow(long seq, long timeMicros, String actor, String action, String repository, Integer status,
                String kind, RecordLocation location) {

    static IndexRow of(AuditRecord record, long segment, long offset, int length) {
        AuditEntry e = record.entry();
        return new IndexRow(record.seq(), Micros.floor(e.time()), e.actor(), e.action(), e.repository(), e.status(),
                e.kind(), new RecordLocation(record.seq(), segment, offset, length));
    }
}
