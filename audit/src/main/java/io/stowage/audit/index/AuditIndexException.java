package io.stowage.audit.index;

/**
 * The index could not be read or brought up to date: its database failed, a segment could not be
 * read, or the log itself is damaged (a record that does not parse, a gap in the sequence). The
 * index is derived data, so none of these loses anything; the message says what to look at.
 */
public class AuditIndexException extends RuntimeException {

    public AuditIndexException(String message) {
        super(message);
    }

    public AuditIndexException(String message, Throwable cause) {
        super(message, cause);
    }
}
