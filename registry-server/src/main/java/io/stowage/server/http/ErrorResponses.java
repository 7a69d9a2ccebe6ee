package io.stowage.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.stowage.audit.AuditUnavailableException;
import io.stowage.storage.error.BackendUnavailableException;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;

/**
 * Turns any failure of a request into the OCI error body
 * {@code {"errors":[{"code":...,"message":...,"detail":...}]}} with the right status: the one
 * place that maps exceptions to HTTP. Unexpected exceptions become 500 {@code UNKNOWN} without a
 * stack trace in the response (it goes to the log). Thread-safe.
 */
public final class ErrorResponses {
    private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ErrorResponses() {
    }

    public static Response from(Throwable failure, RequestContext request) {
        Throwable cause = unwrap(failure);
        if (cause instanceof RegistryException e) {
            return of(e.code(), e.getMessage(), e.detail(), e.httpStatus());
        }
        if (cause instanceof RequestRefusedException e) {
            Response response = of(e.code(), e.getMessage(), e.detail(), e.status());
            e.headers().forEach(response::header);
            return response;
        }
        if (cause instanceof Router.MethodNotAllowed e) {
            return of(ErrorCode.UNSUPPORTED, e.getMessage(), null, 405).header(HttpHeaderNames.ALLOW, e.allow());
        }
        if (cause instanceof AuditUnavailableException e) {
            return auditUnavailable("audit log unavailable, nothing was changed: " + e.getMessage());
        }
        BackendUnavailableException outage = BackendUnavailableException.in(cause);
        if (outage != null) {
            return backendUnavailable(outage, request);
        }
        if (cause instanceof RejectedExecutionException) {
            return of(ErrorCode.TOOMANYREQUESTS, "server busy, retry later", null, 429)
                    .header(HttpHeaderNames.RETRY_AFTER, "1");
        }
        log.error("request failed method={} path={}", request == null ? "-" : request.method(),
                request == null ? "-" : request.path(), cause);
        return of(ErrorCode.UNKNOWN, "internal error", null, 500);
    }

    /**
     * 503 {@code UNAVAILABLE} naming the backend that is down, logged as one line without a stack
     * trace: an outage fails every request for a while, and the cause is the same each time.
     */
    private static Response backendUnavailable(BackendUnavailableException outage, RequestContext request) {
        log.warn("request failed, {} unavailable method={} path={}: {}", outage.backend(),
                request == null ? "-" : request.method(), request == null ? "-" : request.path(), outage.getMessage());
        return of(ErrorCode.UNAVAILABLE, outage.backend() + " unavailable, retry later",
                null, 503).header(HttpHeaderNames.RETRY_AFTER, "5");
    }

    /** 503 {@code UNAVAILABLE} for a change the audit log could not take; the client may retry later. */
    static Response auditUnavailable(String message) {
        return of(ErrorCode.UNAVAILABLE, message, null, 503).header(HttpHeaderNames.RETRY_AFTER, "10");
    }

    public static Response of(ErrorCode code, String message, Object detail, int status) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode errors = body.putArray("errors");
        ObjectNode error = errors.addObject();
        error.put("code", code.name());
        error.put("message", message == null ? code.defaultMessage() : message);
        error.set("detail", detail == null ? JSON.nullNode() : JSON.valueToTree(detail));
        try {
            return Response.status(status).bytes(JSON.writeValueAsBytes(body), "application/json");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("error body not serialisable", e);
        }
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
