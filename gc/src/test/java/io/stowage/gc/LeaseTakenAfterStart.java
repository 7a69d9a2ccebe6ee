package io.stowage.gc;

import io.stowage.storage.meta.GcStore;

import java.time.Instant;

/**
 * The real store, except that as soon as a collector takes the lease, "replica-b" takes it over as if
 * the collector had stalled past its lease: what a collector must notice before its next batch.
 */
final class LeaseTakenAfterStart extends ForwardingGcStore {

    LeaseTakenAfterStart(GcStore store) {
        super(store);
    }

    @Override
    public boolean acquireLease(String holder, String runId, Instant now, Instant until) {
        boolean taken = store.acquireLease(holder, runId, now, until);
        if (taken && !"replica-b".equals(holder)) {
            store.acquireLease("replica-b", "gc-b", until.plusSeconds(1), until.plusSeconds(61));
        }
        return taken;
    }
}
