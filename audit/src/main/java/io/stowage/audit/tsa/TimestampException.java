package io.stowage.audit.tsa;

/**
 * A time-stamp token that is malformed, covers another digest, or was not signed by the expected
 * TSA certificate. Checked, because a verifier must decide what an untrustworthy timestamp means
 * for the checkpoint it accompanies rather than have it escape as a crash.
 */
public class TimestampException extends Exception {
    private static final long serialVersionUID = 1L;

    public TimestampException(String message) {
        super(message);
    }

    public TimestampException(String message, Throwable cause) {
        super(message, cause);
    }
}
