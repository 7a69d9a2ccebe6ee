package io.stowage.storage.error;

import java.util.List;
import java.util.Map;

/**
 * The one exception type that carries a registry error to the client: an {@link ErrorCode},
 * a human message, an optional JSON-able detail, and the HTTP status (the code's default unless
 * a factory says otherwise, e.g. 416 for an out-of-order chunk).
 *
 * <p>Create instances through the named factories so each error reads the same everywhere.
 * Immutable and thread-safe.
 */
public final class RegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final transient Object detail;
    private final int httpStatus;

    public RegistryException(ErrorCode code, String message, Object detail, int httpStatus) {
        super(message == null ? code.defaultMessage() : message, null, false, false);
        this.code = code;
        this.detail = detail;
        this.httpStatus = httpStatus;
    }

    public RegistryException(ErrorCode code, String message, Object detail) {
        this(code, message, detail, code.httpStatus());
    }

    public RegistryException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public ErrorCode code() {
        return code;
    }

    /** A JSON-serialisable value (map, list, string) or null. */
    public Object detail() {
        return detail;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public static RegistryException blobUnknown(Object digest) {
        return new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob unknown to registry",
                Map.of("digest", String.valueOf(digest)));
    }

    public static RegistryException uploadUnknown(String uploadId) {
        return new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "blob upload unknown to registry",
                Map.of("uuid", String.valueOf(uploadId)));
    }

    public static RegistryException uploadInvalid(String message) {
        return new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, message);
    }

    /** A chunk that does not start where the upload ends: 416 per the distribution spec. */
    public static RegistryException rangeNotSatisfiable(String message, long currentSize) {
        return new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, message,
                Map.of("size", currentSize), 416);
    }

    public static RegistryException digestInvalid(String message) {
        return new RegistryException(ErrorCode.DIGEST_INVALID, message);
    }

    public static RegistryException sizeInvalid(String message) {
        return new RegistryException(ErrorCode.SIZE_INVALID, message);
    }

    /** A body over a configured limit: 413 with {@code SIZE_INVALID}. */
    public static RegistryException sizeInvalidWithStatus(String message, int status) {
        return new RegistryException(ErrorCode.SIZE_INVALID, message, null, status);
    }

    public static RegistryException manifestUnknown(String reference) {
        return new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest unknown to registry",
                Map.of("reference", String.valueOf(reference)));
    }

    public static RegistryException manifestInvalid(String message) {
        return new RegistryException(ErrorCode.MANIFEST_INVALID, message);
    }

    public static RegistryException manifestBlobUnknown(Object digest) {
        return new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN,
                "manifest references a manifest or blob unknown to this repository",
                Map.of("digest", String.valueOf(digest)));
    }

    public static RegistryException nameInvalid(String name, String why) {
        return new RegistryException(ErrorCode.NAME_INVALID, "invalid repository name: " + why,
                Map.of("name", String.valueOf(name)));
    }

    public static RegistryException nameUnknown(String name) {
        return new RegistryException(ErrorCode.NAME_UNKNOWN, "repository name not known to registry",
                Map.of("name", String.valueOf(name)));
    }

    public static RegistryException paginationInvalid(String message) {
        return new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, message);
    }

    public static RegistryException unsupported(String message) {
        return new RegistryException(ErrorCode.UNSUPPORTED, message);
    }

    public static RegistryException tagUnknown(String repository, String tag) {
        return new RegistryException(ErrorCode.TAG_UNKNOWN, "tag " + tag + " has no journal entry in " + repository,
                Map.of("repository", String.valueOf(repository), "tag", String.valueOf(tag)));
    }

    public static RegistryException tagExists(String tag, Object liveDigest) {
        return new RegistryException(ErrorCode.TAG_EXISTS,
                "tag " + tag + " is live; pass ?digest= with &force=true to roll it back",
                Map.of("tag", String.valueOf(tag), "digest", String.valueOf(liveDigest)));
    }

    /**
     * The content of a manifest to restore is gone; {@code detail.missingBlobs} names every
     * missing digest so the operator can re-import exactly those.
     */
    public static RegistryException contentMissing(String repository, Object digest, List<String> missing) {
        return new RegistryException(ErrorCode.CONTENT_MISSING,
                missing.size() + " blob(s) or manifest(s) of " + digest + " are gone; re-import them, then undelete again",
                Map.of("repository", String.valueOf(repository), "digest", String.valueOf(digest), "missingBlobs", missing));
    }

    public static RegistryException unavailable(String message) {
        return new RegistryException(ErrorCode.UNAVAILABLE, message);
    }
}
