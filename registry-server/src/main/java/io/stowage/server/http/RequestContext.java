package io.stowage.server.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.List;
import java.util.Map;

/**
 * One request as a handler sees it: method, path, query, headers, the named parts of the path
 * that the route matched, and the client's address. Immutable; safe to hand to a worker thread.
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

    /**
     * @param requestId the id that names this request in the audit log and the {@code X-Request-Id} header
     * @param action    the semantic action of the matched route, for the audit log
     */
    public RequestContext(HttpMethod method, QueryStringDecoder uri, HttpHeaders headers,
                          Map<String, String> pathParams, String remoteAddress, String requestId, String action) {
        this.method = method;
        this.path = uri.path();
        this.query = uri.parameters();
        this.headers = headers;
        this.pathParams = Map.copyOf(pathParams);
        this.remoteAddress = remoteAddress;
        this.requestId = requestId;
        this.action = action;
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

    /**
     * Who makes the request, for the tag journal and the audit log: {@code anonymous} until
     * authentication (issue 6) sets the user.
     */
    public String actor() {
        return ANONYMOUS;
    }

    /** The actor of an unauthenticated request. */
    public static final String ANONYMOUS = "anonymous";
}
