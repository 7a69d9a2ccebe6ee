package io.stowage.audit;

import java.util.List;

/** A purge would have deleted segments that must stay (not yet shipped to write-once storage); nothing was deleted. */
public final class PurgeRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final List<String> segments;

    public PurgeRefusedException(String message, List<String> segments) {
        super(message);
        this.segments = List.copyOf(segments);
    }

    /** The segments that held the purge back. */
    public List<String> segments() {
        return segments;
    }
}
