package io.stowage.recovery.jobs;

/**
 * Asked by a long job before each item of work: throws {@link LeaseLostException} once the run no
 * longer holds its job's lease, so a replica that stalled past its lease stops instead of working
 * alongside the one that took it over.
 */
@FunctionalInterface
public interface LeaseCheck {
    /** For a run that holds no lease: one started directly on this thread, outside the registry's jobs. */
    LeaseCheck NONE = () -> {
    };

    void ensureHeld();
}
