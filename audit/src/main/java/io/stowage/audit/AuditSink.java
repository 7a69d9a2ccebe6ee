package io.stowage.audit;

import java.util.concurrent.CompletableFuture;

/**
 * Where the registry's components send what they did. {@link AuditLog} is the real one;
 * {@link #NONE} is for a registry run with auditing switched off, and for unit tests of
 * components that are not about auditing.
 */
public interface AuditSink {

    /** Queues an entry; the future completes once it is durable, or fails when the log cannot take it. */
    CompletableFuture<AuditRecord> append(AuditEntry entry);

    /**
     * Queues the record of a read that no one waits for. The log may skip the future
     * {@link #append} makes (cheaper under a flood of reads) and reports a record it cannot take
     * itself. A mutation passed here is appended as usual.
     */
    default void appendRead(AuditEntry entry) {
        append(entry);
    }

    /** Throws {@link AuditUnavailableException} unless a change may go ahead now. */
    void ensureWritable();

    /** A sink that records nothing and never refuses. */
    AuditSink NONE = new AuditSink() {
        @Override
        public CompletableFuture<AuditRecord> append(AuditEntry entry) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void ensureWritable() {
        }
    };
}
