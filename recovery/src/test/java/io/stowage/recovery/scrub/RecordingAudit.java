package io.stowage.recovery.scrub;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditRecord;
import io.stowage.audit.AuditSink;
import io.stowage.audit.AuditUnavailableException;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** An audit sink that keeps entries in memory, and can refuse changes as a full audit disk would. */
final class RecordingAudit implements AuditSink {
    final List<AuditEntry> entries = new CopyOnWriteArrayList<>();
    volatile boolean refuseChanges;

    @Override
    public CompletableFuture<AuditRecord> append(AuditEntry entry) {
        entries.add(entry);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void ensureWritable() {
        if (refuseChanges) {
            throw new AuditUnavailableException("audit disk full (test)");
        }
    }

    List<AuditEntry> withAction(String action) {
        return entries.stream().filter(e -> e.action().equals(action)).toList();
    }
}
