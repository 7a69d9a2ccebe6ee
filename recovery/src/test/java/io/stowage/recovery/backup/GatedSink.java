package io.stowage.recovery.backup;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditRecord;
import io.stowage.audit.AuditSink;
import io.stowage.audit.AuditUnavailableException;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** An audit sink that records entries and can refuse, or hold the first append until the test lets it go. */
final class GatedSink implements AuditSink {
    final List<AuditEntry> entries = new CopyOnWriteArrayList<>();
    volatile boolean writable = true;
    volatile CompletableFuture<AuditRecord> hold;

    @Override
    public CompletableFuture<AuditRecord> append(AuditEntry entry) {
        CompletableFuture<AuditRecord> gate = hold;
        hold = null;
        if (gate != null && gate.isCompletedExceptionally()) {
            return gate;
        }
        entries.add(entry);
        return gate != null ? gate : CompletableFuture.completedFuture(null);
    }

    @Override
    public void ensureWritable() {
        if (!writable) {
            throw new AuditUnavailableException("audit log unavailable");
        }
    }
}
