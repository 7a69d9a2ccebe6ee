package io.stowage.server.auth;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The values of the {@code WWW-Authenticate} header of a 401: where to get a token, for which
 * service and scope (token auth), or that a password is wanted (basic auth). Stateless.
 *
 * <pre>
 * Bearer realm="https://registry.example.com/token",service="registry.example.com",scope="repository:team-a/app:pull,push"
 * Bearer realm="...",service="...",error="invalid_token"
 * Basic realm="Stowage registry"
 * </pre>
 *
 * Values are quoted strings: {@code "} and {@code \} are escaped with a backslash; a control
 * character (a CR or LF would split the header) is refused.
 */
public final class Challenges {
    /** The RFC 6750 error for an expired, malformed or untrusted token. */
    public static final String INVALID_TOKEN = "invalid_token";
    /** The RFC 6750 error for a valid token that lacks the access asked for. */
    public static final String INSUFFICIENT_SCOPE = "insufficient_scope";

    private Challenges() {
    }

    /** A token challenge; the scope parameter is left out when {@code scopes} is empty. */
    public static String bearer(String realm, String service, List<ResourceScope> scopes) {
        return bearer(realm, service, scopes, null);
    }

    /** A token challenge with an RFC 6750 {@code error}, e.g. {@link #INVALID_TOKEN}; null for none. */
    public static String bearer(String realm, String service, List<ResourceScope> scopes, String error) {
        StringBuilder value = new StringBuilder("Bearer realm=").append(quoted(realm));
        if (service != null) {
            value.append(",service=").append(quoted(service));
        }
        if (!scopes.isEmpty()) {
            String scope = scopes.stream().map(ResourceScope::toString).collect(Collectors.joining(" "));
            value.append(",scope=").append(quoted(scope));
        }
        if (error != null) {
            value.append(",error=").append(quoted(error));
        }
        return value.toString();
    }

    public static String basic(String realm) {
        return "Basic realm=" + quoted(realm);
    }

    /** An RFC 7230 quoted-string. */
    static String quoted(String value) {
        if (value == null) {
            throw new IllegalArgumentException("a challenge parameter must not be null");
        }
        StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException("a challenge parameter must not contain control characters");
            }
            if (c == '"' || c == '\\') {
                quoted.append('\\');
            }
            quoted.append(c);
        }
        return quoted.append('"').toString();
    }
}
