package io.stowage.storage.error;

/**
 * Every error code this registry answers with, each declared once with its default HTTP status.
 *
 * <p>The first group is the OCI Distribution Specification's table (plus {@code UNKNOWN} and
 * {@code UNAVAILABLE} from the Docker registry API); the second group belongs to the admin and
 * recovery API of {@code shared/API.md}. The responder in registry-server maps a code to its
 * status through {@link #httpStatus()} unless a {@link RegistryException} overrides it.
 */
public enum ErrorCode {
    BLOB_UNKNOWN(404, "blob unknown to registry"),
    BLOB_UPLOAD_INVALID(400, "blob upload invalid"),
    BLOB_UPLOAD_UNKNOWN(404, "blob upload unknown to registry"),
    DIGEST_INVALID(400, "provided digest did not match uploaded content"),
    MANIFEST_BLOB_UNKNOWN(400, "manifest references a manifest or blob unknown to registry"),
    MANIFEST_INVALID(400, "manifest invalid"),
    MANIFEST_UNKNOWN(404, "manifest unknown to registry"),
    NAME_INVALID(400, "invalid repository name"),
    NAME_UNKNOWN(404, "repository name not known to registry"),
    SIZE_INVALID(400, "provided length did not match content length"),
    UNAUTHORIZED(401, "authentication required"),
    DENIED(403, "requested access to the resource is denied"),
    UNSUPPORTED(405, "the operation is unsupported"),
    TOOMANYREQUESTS(429, "too many requests"),
    PAGINATION_NUMBER_INVALID(400, "invalid number of results requested"),
    UNKNOWN(500, "unknown error"),
    UNAVAILABLE(503, "service unavailable"),

    TAG_UNKNOWN(404, "tag unknown to the journal"),
    TAG_EXISTS(409, "tag exists"),
    CONTENT_MISSING(409, "content missing"),
    GC_PAUSED(409, "garbage collection is paused"),
    GC_RUNNING(409, "garbage collection is running"),
    GC_RUN_UNKNOWN(404, "no garbage collection run with that id"),
    DIGEST_NOT_AUDITED(409, "no audited push recorded that digest"),
    IMPORT_UNKNOWN(404, "no import with that id"),
    BACKUP_RUNNING(409, "a backup is running"),
    BACKUP_TARGET_INVALID(400, "the backup directory cannot be used"),
    BACKUP_RUN_UNKNOWN(404, "no backup run with that id"),
    SCRUB_RUNNING(409, "an integrity scrub is running"),
    SCRUB_RUN_UNKNOWN(404, "no scrub run with that id"),
    AUDIT_NOT_SHIPPED(409, "audit segments not yet shipped to write-once storage");

    private final int httpStatus;
    private final String defaultMessage;

    ErrorCode(int httpStatus, String defaultMessage) {
        this.httpStatus = httpStatus;
        this.defaultMessage = defaultMessage;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String defaultMessage() {
        return defaultMessage;
    }
}
