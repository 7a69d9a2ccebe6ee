package io.stowage.server.access;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditRecord;
import io.stowage.server.audit.AuditTrail;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/** Waiting for a read's audit record, which is written after its answer. */
final class Audit {
    private Audit() {
    }

    /** The record of request {@code requestId}, waiting up to 10 s for it to be on disk. */
    static AuditEntry await(AuditTrail trail, String requestId) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<AuditRecord> records = trail.records(r -> requestId.equals(r.entry().requestId())
                    && AuditEntry.REQUEST.equals(r.entry().kind()));
            if (!records.isEmpty()) {
                return records.get(0).entry();
            }
            Thread.sleep(50);
        }
        return fail("no audit record of request " + requestId);
    }
}
