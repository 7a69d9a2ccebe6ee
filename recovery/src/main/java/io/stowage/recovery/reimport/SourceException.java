package io.stowage.recovery.reimport;

import java.io.IOException;

/**
 * A source could not hand out what was asked for: absent ({@link #notFound()}), refused
 * (credentials), unreachable, or malformed. The message is what a report shows, so it names the
 * source and the item and never a credential.
 */
public final class SourceException extends IOException {
    private static final long serialVersionUID = 1L;

    private final boolean notFound;

    public SourceException(String message, boolean notFound) {
        super(message);
        this.notFound = notFound;
    }

    public SourceException(String message, Throwable cause) {
        super(message, cause);
        this.notFound = false;
    }

    public static SourceException notFound(String message) {
        return new SourceException(message, true);
    }

    public static SourceException failed(String message) {
        return new SourceException(message, false);
    }

    public boolean notFound() {
        return notFound;
    }
}
