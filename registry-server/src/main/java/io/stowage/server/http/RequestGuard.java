package io.stowage.server.http;

/**
 * Authentication and authorization of every request, before its handler. The server calls
 * {@link #check} on a worker thread (it may compute a bcrypt hash) and {@link #allowsWithoutBlocking}
 * on the network thread before an endpoint's {@link Endpoint.FastPath}. Both set the request's
 * {@link Caller} ({@link RequestContext#identify}) when they let it through. Thread-safe.
 */
public interface RequestGuard {

    /**
     * Lets the request through, or throws what to answer instead (usually a
     * {@link RequestRefusedException}: 401 with a challenge, 403, 429).
     */
    void check(RequestContext request) throws Exception;

    /**
     * True only when the request is known to be allowed from memory alone: no password check, no
     * file look-up, no blocking of any kind. False means "not sure": the request then goes to a
     * worker and {@link #check}, which gives the real answer. Must not throw.
     */
    boolean allowsWithoutBlocking(RequestContext request);

    /** No authentication ({@code auth.mode: none}): everybody may do everything, as {@code anonymous}. */
    RequestGuard OPEN = new RequestGuard() {
        @Override
        public void check(RequestContext request) {
            request.identify(Caller.UNRESTRICTED);
        }

        @Override
        public boolean allowsWithoutBlocking(RequestContext request) {
            request.identify(Caller.UNRESTRICTED);
            return true;
        }
    };
}
