package io.stowage.storage.error;

import java.io.IOException;

/**
 * A backend the registry keeps its data in (the object store, the metadata database) did not
 * answer: refused, reset, timed out, or said it is overloaded or down. Not the caller's fault and
 * not a lost blob: the call changed nothing that a retry would not redo, and a retry after the
 * backend returns succeeds. The server answers it with 503 {@code UNAVAILABLE} and
 * {@code Retry-After}; background jobs wait and try again.
 *
 * <p>Checked, because the blob store's methods already declare {@link IOException} and every caller
 * handles it; the metadata store's unchecked failures carry it as their cause, so one look down a
 * cause chain ({@link #in}) finds an outage wherever it happened.
 */
public final class BackendUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The object store: where blobs and upload sessions live. */
    public static final String OBJECT_STORE = "object store";
    /** The metadata database: repositories, manifests, tags, the journal. */
    public static final String METADATA_DATABASE = "metadata database";

    private final String backend;

    public BackendUnavailableException(String backend, String message, Throwable cause) {
        super(backend + " unavailable: " + message, cause);
        this.backend = backend;
    }

    /** Which backend did not answer: {@link #OBJECT_STORE} or {@link #METADATA_DATABASE}. */
    public String backend() {
        return backend;
    }

    /** The outage somewhere in {@code failure}'s cause chain, or null if it is another kind of failure. */
    public static BackendUnavailableException in(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof BackendUnavailableException outage) {
                return outage;
            }
        }
        return null;
    }
}
