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
