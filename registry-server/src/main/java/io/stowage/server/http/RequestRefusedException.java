package io.stowage.server.http;

import io.stowage.storage.error.ErrorCode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request refused before its handler ran, with the response headers the refusal needs
 * ({@code WWW-Authenticate} on a 401, {@code Retry-After} on a 429). {@link ErrorResponses} turns it
 * into the OCI error body like any {@code RegistryException}; this type exists because the storage
 * module's exception knows nothing of HTTP headers. Immutable.
 */
public final class RequestRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final int status;
    private final transient Object detail;
    private final Map<String, String> headers;

    public RequestRefusedException(ErrorCode code, String message, Object detail, int status, Map<String, String> headers) {
        super(message == null ? code.defaultMessage() : message, null, false, false);
        this.code = code;
        this.status = status;
        this.detail = detail;
        this.headers = Map.copyOf(new LinkedHashMap<>(headers));
    }

    public ErrorCode code() {
        return code;
    }

    public int status() {
        return status;
    }

    /** A JSON-serialisable value or null. */
    public Object detail() {
        return detail;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
