package io.stowage.server.access;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.stowage.server.auth.Challenges;
import io.stowage.server.auth.LoginThrottle;
import io.stowage.server.auth.ResourceScope;
import io.stowage.server.http.RequestContext;
import io.stowage.server.http.RequestRefusedException;
import io.stowage.storage.error.ErrorCode;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The answers of a refusal: 401 {@code UNAUTHORIZED} with the {@code WWW-Authenticate} challenge
 * that tells the client how to sign in, 403 {@code DENIED}, 429 {@code TOOMANYREQUESTS} with
 * {@code Retry-After}. Knows the realms: the Basic realm, and the token endpoint's URL, configured
 * or derived from the request. Immutable.
 */
final class Refusals {
    /** The path of our token endpoint, for a realm derived from the request. */
    static final String TOKEN_PATH = "/auth/token";
    /** A host name or IPv4 address, or an IPv6 address in brackets, with an optional port. */
    private static final Pattern HOST = Pattern.compile("(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\\[[0-9A-Fa-f:.]{2,45}\\])(?::\\d{1,5})?");

    private final String basicRealm;
    /** Null when derived from each request. */
    private final String tokenRealm;
    /** Null without tokens. */
    private final String service;

    /**
     * @param tokenRealm the token endpoint's absolute URL, or null to derive it from the request
     * @param service    our token service name, or null when tokens are not in use
     */
    Refusals(String basicRealm, String tokenRealm, String service) {
        this.basicRealm = basicRealm;
        this.tokenRealm = tokenRealm;
        this.service = service;
    }

    /** 401 asking for a user name and password. */
    RequestRefusedException basic(String message, Object detail) {
        return unauthorized(message, detail, Challenges.basic(basicRealm));
    }

    /**
     * 401 sending the client to the token endpoint for {@code scopes}.
     *
     * @param error {@link Challenges#INVALID_TOKEN}, {@link Challenges#INSUFFICIENT_SCOPE} or null
     */
    RequestRefusedException bearer(RequestContext request, List<ResourceScope> scopes, String error, String message,
                                    Object detail) {
        return unauthorized(message, detail, Challenges.bearer(tokenRealm(request), service, scopes, error));
    }

    /** 403: the caller is known, and not allowed. */
    RequestRefusedException denied(String message, Object detail) {
        return new RequestRefusedException(ErrorCode.DENIED, message, detail, 403, Map.of());
    }

    /** 429 for a user name or address that failed too many logins. */
    RequestRefusedException throttled(Duration wait) {
        long seconds = Math.max(1, LoginThrottle.retryAfterSeconds(wait));
        return new RequestRefusedException(ErrorCode.TOOMANYREQUESTS,
                "too many failed logins; try again in " + seconds + " s", Map.of("retryAfterSeconds", seconds), 429,
                Map.of(HttpHeaderNames.RETRY_AFTER.toString(), Long.toString(seconds)));
    }

    /**
     * The token endpoint's URL: as configured, else {@code http(s)://<Host>/auth/token}. A Host
     * header is what the client itself used to reach us, so a client is never sent elsewhere; one
     * that is missing or malformed gets 400, since no URL can be made of it.
     */
    String tokenRealm(RequestContext request) {
        if (tokenRealm != null) {
            return tokenRealm;
        }
        String host = request.header(HttpHeaderNames.HOST);
        if (host == null || !HOST.matcher(host).matches()) {
            throw new RequestRefusedException(ErrorCode.UNSUPPORTED, "the Host header is missing or malformed, so the"
                    + " token endpoint cannot be named (an operator can set auth.token.realm)", null, 400, Map.of());
        }
        return (request.secure() ? "https://" : "http://") + host + TOKEN_PATH;
    }

    private static RequestRefusedException unauthorized(String message, Object detail, String challenge) {
        return new RequestRefusedException(ErrorCode.UNAUTHORIZED, message, detail, 401,
                Map.of(HttpHeaderNames.WWW_AUTHENTICATE.toString(), challenge));
    }
}
