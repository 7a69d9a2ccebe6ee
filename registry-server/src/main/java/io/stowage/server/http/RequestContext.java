package io.stowage.server.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One request as a handler sees it: method, path, query, headers, the named parts of the path
 * that the route matched, the client's address, and who the caller is once the
 * {@link RequestGuard} has said so. Immutable but for that caller (and a note on why a login
 * failed), which are set before the handler runs and published through volatile fields; safe to
 * hand to a worker thread.
 */
public final class RequestContext {
    private final HttpMethod method;
    private final String path;
    private final Map<String, List<String>> query;
    private final HttpHeaders headers;
    private final Map<String, String> pathParams;
    private final String remoteAddress;
    private final String requestId;
    private final String action;
    private final boolean secure;
    /** Allowed nothing until the guard has run: a path that skipped it fails closed. */
    private volatile Caller caller = NOBODY;
    private volatile String authProblem;

    /**
     * @param requestId the id that names this request in the audit log and the {@code X-Request-Id} header
     * @param action    the semantic action of the matched route, for the audit log
     */
    public RequestContext(HttpMethod method, QueryStringDecoder uri, HttpHeaders headers,
                          Map<String, String> pathParams, String remoteAddress, String requestId, String action) {
        this(method, uri, headers, pathParams, remoteAddress, requestId, action, false);
    }

    /** @param secure whether the request came over TLS (the scheme of URLs the server derives from it) */
    public RequestContext(HttpMethod method, QueryStringDecoder uri, HttpHeaders headers,
                          Map<String, String> pathParams, String remoteAddress, String requestId, String action,
                          boolean secure) {
        this.method = method;
        this.path = uri.path();
        this.query = uri.parameters();
        this.headers = headers;
        this.pathParams = Map.copyOf(pathParams);
        this.remoteAddress = remoteAddress;
        this.requestId = requestId;
        this.action = action;
        this.secure = secure;
    }

    public String requestId() {
        return requestId;
    }

    /** What the matched route does, e.g. {@code manifest.put}; see {@link Router.RouteBuilder#on}. */
    public String action() {
        return action;
    }

    public HttpMethod method() {
        return method;
    }

    public boolean isHead() {
        return HttpMethod.HEAD.equals(method);
    }

    public String path() {
        return path;
    }

    public HttpHeaders headers() {
        return headers;
    }

    public String header(CharSequence name) {
        return headers.get(name);
    }

    /** A named part of the matched path, e.g. {@code name} or {@code digest}. */
    public String pathParam(String name) {
        return pathParams.get(name);
    }

    /** The first value of a query parameter, or null. */
    public String query(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public List<String> queryAll(String name) {
        return query.getOrDefault(name, List.of());
    }

    public String remoteAddress() {
        return remoteAddress;
    }

    /** Whether the request came over TLS. */
    public boolean secure() {
        return secure;
    }

    /**
     * Who makes the request, for the tag journal and the audit log: the signed-in user, else
     * {@code anonymous}; on a refused login, the user name that was tried.
     */
    public String actor() {
        return caller.name();
    }

    /** Who makes the request and what it may see; see {@link Caller}. */
    public Caller caller() {
        return caller;
    }

    /** Sets who makes the request; called by the {@link RequestGuard} (and the token endpoint, for a form login). */
    public void identify(Caller caller) {
        this.caller = Objects.requireNonNull(caller, "caller");
    }

    /** Why the credentials of this request were not accepted, for its audit record; null when they were or none came. */
    public String authProblem() {
        return authProblem;
    }

    public void noteAuthProblem(String problem) {
        this.authProblem = problem;
    }

    /** The actor of an unauthenticated request. */
    public static final String ANONYMOUS = "anonymous";

    private static final Caller NOBODY = Caller.nobody(ANONYMOUS);
}
