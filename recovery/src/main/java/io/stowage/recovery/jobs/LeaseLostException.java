package io.stowage.recovery.jobs;

/** A run found that another replica took its job's lease (it had stalled or lost the database past the lease). */
public final class LeaseLostException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    LeaseLostException(String job) {
        super("the " + job + " lease was taken by another replica");
    }
}
