package io.stowage.server.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Turns each HTTP request into one audit record. A request that may change state (any method
 * but GET, HEAD and OPTIONS) is admitted only while the log can take records, and its response
 * leaves only once its record is durable; if the record cannot be written the client gets 503
 * instead. Reads are recorded after their response is written, without waiting. No header is
 * recorded except {@code User-Agent}: credentials never reach the log (a refused login is recorded
 * with the user name it tried and, in {@code detail.authProblem}, why). Thread-safe.
 */
public final class RequestAuditor {
    private static final Logger log = LoggerFactory.getLogger(RequestAuditor.class);
    private static final int MAX_TEXT = 2048;
    /** What a request whose client went away before its answer is recorded with (as nginx does). */
    static final int CLIENT_CLOSED = 499;
    private static final String DIGEST_HEADER = "Docker-Content-Digest";

    /** The request a worker thread is serving, so records of what it causes (tag events) can name it. */
    private static final ThreadLocal<String> CURRENT_REQUEST = new ThreadLocal<>();

    private final AuditSink sink;
    private final boolean recordOps;
    private final Clock clock;

    /**
     * @param recordOps also record {@code /healthz}, {@code /readyz} and {@code /metrics}, which
     *                  probes call every few seconds
     */
    public RequestAuditor(AuditSink sink, boolean recordOps, Clock clock) {
        this.sink = sink;
        this.recordOps = recordOps;
        this.clock = clock;
    }

    /** Runs a handler step on a worker with {@link #currentRequestId()} set to its request. */
    static <T> T during(RequestContext request, java.util.concurrent.Callable<T> step) throws Exception {
        CURRENT_REQUEST.set(request.requestId());
        try {
            return step.call();
        } finally {
            CURRENT_REQUEST.remove();
        }
    }

    /** The id of the request the calling worker thread serves, or null outside one (a GC run, a job). */
    public static String currentRequestId() {
        return CURRENT_REQUEST.get();
    }

    /** Records nothing; for servers in tests that are not about auditing. */
    public static RequestAuditor off() {
        return new RequestAuditor(AuditSink.NONE, false, Clock.systemUTC());
    }

    /** Throws when a state-changing request must be refused because the log cannot take its record. */
    void admit(RequestContext request) {
        if (isMutation(request)) {
            sink.ensureWritable();
        }
    }

    /**
     * Records a mutation ({@link #recordsBeforeResponse}) and completes with the response once the
     * record is durable, or with a 503 when it cannot be written. Reads are recorded after their
     * answer is written instead ({@link #afterResponse}).
     */
    CompletableFuture<Response> beforeResponse(RequestContext request, Response response, long bytesIn, long startNanos) {
        AuditEntry entry = entry(request, response, response.statusCode(), bytesIn, bodyBytes(request, response),
                startNanos, null);
        return sink.append(entry).handle((record, failure) -> {
            if (failure == null) {
                return response;
            }
            log.error("audit record not written; answering 503 requestId={} action={}", request.requestId(),
                    entry.action(), failure);
            Exchange.releaseResponse(response);
            // The change is made but not recorded yet (the log retries the record): say so, not "nothing changed".
            return ErrorResponses.auditUnavailable("audit log unavailable; the change may have been made and its "
                    + "record will be written when the log recovers: " + failure.getMessage());
        });
    }

    /** Whether {@link #beforeResponse} already records this request. */
    boolean recordsBeforeResponse(RequestContext request) {
        return isMutation(request);
    }

    /** Records a request once its response is on the wire (or failed to get there). */
    void afterResponse(RequestContext request, Response response, long bytesIn, long startNanos, boolean sent) {
        if (!recordOps && request.action() != null && request.action().startsWith("ops.")) {
            return;
        }
        Map<String, Object> detail = sent ? null : Map.of("responseAborted", true);
        AuditEntry entry = entry(request, response, response.statusCode(), bytesIn,
                sent ? bodyBytes(request, response) : 0, startNanos, detail);
        sink.appendRead(entry);
    }

    /** Records a request whose client closed the connection before any response. */
    void aborted(RequestContext request, long bytesIn, long startNanos) {
        AuditEntry entry = entry(request, null, CLIENT_CLOSED, bytesIn, 0, startNanos, Map.of("clientClosed", true));
        sink.append(entry).exceptionally(failure -> {
            log.error("audit record of an aborted request not written requestId={}", request.requestId(), failure);
            return null;
        });
    }

    private AuditEntry entry(RequestContext request, Response response, int status, long bytesIn, long bytesOut,
                             long startNanos, Map<String, Object> detail) {
        String digest = digest(request);
        if (digest == null && response != null && response.statusCode() < 300) {
            digest = response.headers().get(DIGEST_HEADER);
        }
        String authProblem = request.authProblem();
        if (authProblem != null) {
            // The actor of a refused login is the name it tried; this says it was not signed in.
            Map<String, Object> withAuth = new TreeMap<>(detail == null ? Map.of() : detail);
            withAuth.put("authProblem", clip(authProblem));
            detail = withAuth;
        }
        return new AuditEntry(AuditEntry.REQUEST, clock.instant(), request.requestId(), request.actor(),
                request.remoteAddress(), request.method().name(), clip(request.path()), action(request),
                clip(request.pathParam("name")), clip(reference(request)), clip(digest), status, bytesIn,
                bytesOut, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
                clip(request.header(HttpHeaderNames.USER_AGENT)), detail);
    }

    /** The route's action, made precise where the request says more than the route. */
    static String action(RequestContext request) {
        String action = request.action();
        if ("manifest.delete".equals(action) && !isDigest(request.pathParam("reference"))) {
            return "tag.delete";
        }
        if ("blob.upload.start".equals(action)) {
            if (request.query("mount") != null) {
                return "blob.mount";
            }
            if (request.query("digest") != null) {
                return "blob.upload.monolithic";
            }
        }
        return action;
    }

    private static String reference(RequestContext request) {
        for (String name : new String[]{"reference", "tag", "uuid", "id"}) {
            String value = request.pathParam(name);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static String digest(RequestContext request) {
        for (String value : new String[]{request.pathParam("digest"), request.query("digest"), request.query("mount")}) {
            if (value != null) {
                return value;
            }
        }
        String reference = request.pathParam("reference");
        return isDigest(reference) ? reference : null;
    }

    private static boolean isDigest(String reference) {
        return reference != null && reference.contains(":");
    }

    private static long bodyBytes(RequestContext request, Response response) {
        return request.method().equals(HttpMethod.HEAD) ? 0 : response.body().length();
    }

    private static boolean isMutation(RequestContext request) {
        HttpMethod method = request.method();
        return !(HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method));
    }

    private static String clip(String text) {
        if (text == null || text.length() <= MAX_TEXT) {
            return text;
        }
        return text.substring(0, MAX_TEXT) + "...";
    }
}
