package io.stowage.storage.meta;

/** A failure of the metadata database itself (not a registry rule), with what was being done. */
public final class MetadataStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MetadataStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
