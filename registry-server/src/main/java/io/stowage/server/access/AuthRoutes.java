package io.stowage.server.access;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.stowage.server.access.Authenticator.Identity;
import io.stowage.server.auth.AccessPolicy;
import io.stowage.server.auth.InvalidScopeException;
import io.stowage.server.auth.IssuedToken;
import io.stowage.server.auth.Principal;
import io.stowage.server.auth.ReloadingFile;
import io.stowage.server.auth.ResourceScope;
import io.stowage.server.auth.ScopeGrants;
import io.stowage.server.auth.TokenIssuer;
import io.stowage.server.http.Caller;
import io.stowage.server.http.Endpoint;
import io.stowage.server.http.RequestContext;
import io.stowage.server.http.Response;
import io.stowage.server.http.Router;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;

import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The token endpoint of the Docker registry token protocol, {@code /auth/token}, in
 * {@code auth.mode: token}:
 * <ul>
 *   <li>{@code GET /auth/token?service=&scope=&account=} with optional {@code Basic} credentials
 *       (checked by the guard before this runs; a caller without them gets the anonymous grants);</li>
 *   <li>{@code POST /auth/token} with the OAuth2 form {@code grant_type=password&username=&password=
 *       &service=&scope=&client_id=} that containerd and others use.</li>
 * </ul>
 * The answer is {@code {"token","access_token","expires_in","issued_at"}} (and {@code "scope"} for
 * the form) with only the actions the policy grants ({@link ScopeGrants}); a scope with nothing
 * granted is left out, and the client then gets 401 or 403 where it uses the token. An unknown
 * service or a malformed scope is 400 with the reason. Thread-safe.
 */
public final class AuthRoutes {
    static final String ACTION = "auth.token";
    /** A form with a user name, password and a few scopes: far below this. */
    private static final long MAX_FORM_BYTES = 16 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ReloadingFile<AccessPolicy> policy;
    private final TokenIssuer issuer;
    private final Authenticator authenticator;
    private final Refusals refusals;

    AuthRoutes(ReloadingFile<AccessPolicy> policy, TokenIssuer issuer, Authenticator authenticator, Refusals refusals) {
        this.policy = policy;
        this.issuer = issuer;
        this.authenticator = authenticator;
        this.refusals = refusals;
    }

    void register(Router router) {
        router.route(Refusals.TOKEN_PATH)
                .on(HttpMethod.GET, ACTION, Endpoint.bodiless(this::get))
                .on(HttpMethod.POST, ACTION, Endpoint.buffered(MAX_FORM_BYTES, this::post));
    }

    Response get(RequestContext request) {
        Principal principal = principalOf(request.caller());
        String account = request.query("account");
        if (account != null && !principal.anonymous() && !account.equals(principal.name())) {
            throw badRequest("account '" + printable(account) + "' is not the user of the credentials");
        }
        return issue(principal, request.query("service"), request.queryAll("scope"), false);
    }

    Response post(RequestContext request, byte[] body) {
        String contentType = request.header(HttpHeaderNames.CONTENT_TYPE);
        if (contentType == null || !"application/x-www-form-urlencoded".equalsIgnoreCase(
                HttpUtil.getMimeType(contentType).toString().trim())) {
            throw badRequest("a token request by POST is a form (application/x-www-form-urlencoded)");
        }
        Map<String, List<String>> form =
                new QueryStringDecoder(new String(body, StandardCharsets.UTF_8), false).parameters();
        String grantType = first(form, "grant_type");
        if (!"password".equals(grantType)) {
            throw badRequest(grantType == null ? "grant_type is missing; this endpoint takes grant_type=password"
                    : "grant_type '" + printable(grantType) + "' is not supported; use grant_type=password"
                    + " (no refresh tokens are issued)");
        }
        String user = first(form, "username");
        String password = first(form, "password");
        if (user == null || password == null) {
            throw badRequest("grant_type=password needs username and password");
        }
        Principal principal;
        try {
            Identity.User signedIn = (Identity.User) authenticator.password(user, password, request.remoteAddress());
            AccessPolicy current = policy.current();
            principal = current.principal(signedIn.name());
            request.identify(new Rights.FromPolicy(principal, current));
        } catch (Authenticator.Failure failure) {
            request.identify(Caller.nobody(failure.user() == null ? RequestContext.ANONYMOUS : failure.user()));
            request.noteAuthProblem(failure.getMessage());
            throw failure.kind() == Authenticator.Failure.Kind.THROTTLED
                    ? refusals.throttled(failure.retryAfter())
                    : refusals.basic("wrong user name or password", null);
        }
        return issue(principal, first(form, "service"), form.getOrDefault("scope", List.of()), true);
    }

    private Response issue(Principal principal, String service, List<String> scopeParameters, boolean withScope) {
        if (service != null && !service.equals(issuer.service())) {
            throw badRequest("unknown service '" + printable(service) + "'; this registry is '" + issuer.service() + "'");
        }
        List<ResourceScope> requested;
        try {
            requested = ResourceScope.parseAll(scopeParameters);
        } catch (InvalidScopeException e) {
            throw badRequest(e.getMessage());
        }
        List<ResourceScope> granted = ScopeGrants.grant(policy.current(), principal, requested);
        IssuedToken token = issuer.issue(principal, granted);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", token.token());
        body.put("access_token", token.token());
        body.put("expires_in", token.expiresInSeconds());
        body.put("issued_at", DateTimeFormatter.ISO_INSTANT.format(token.issuedAt()));
        if (withScope) {
            body.put("scope", granted.stream().map(ResourceScope::toString).collect(Collectors.joining(" ")));
        }
        try {
            // A token is a credential: no cache on the way may keep it.
            return Response.status(200).bytes(JSON.writeValueAsBytes(body), "application/json")
                    .header(HttpHeaderNames.CACHE_CONTROL, "no-store");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("token response not serialisable", e);
        }
    }

    /** The signed-in user the guard found, or anonymous. */
    private static Principal principalOf(Caller caller) {
        return caller instanceof Rights rights ? rights.principal() : Principal.ANONYMOUS;
    }

    private static String first(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static RegistryException badRequest(String message) {
        return new RegistryException(ErrorCode.UNSUPPORTED, message, null, 400);
    }

    /** At most 100 characters of client text for a message, control characters shown as '?'. */
    private static String printable(String text) {
        String shown = text.length() > 100 ? text.substring(0, 100) + "..." : text;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
