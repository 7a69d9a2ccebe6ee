package io.stowage.audit;

import java.io.IOException;

/** Another writer holds the lock of the audit chain a log was to open: two would break the chain. */
public final class ChainLockedException extends IOException {
    private static final long serialVersionUID = 1L;

    public ChainLockedException(String message) {
        super(message);
    }
}
