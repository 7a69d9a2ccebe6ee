package io.stowage.server.access;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.stowage.server.access.AccessRules.Login;
import io.stowage.server.access.AccessRules.OnRepository;
import io.stowage.server.access.AccessRules.Open;
import io.stowage.server.access.AccessRules.Rule;
import io.stowage.server.access.AccessRules.SignedIn;
import io.stowage.server.access.AccessRules.WithRole;
import io.stowage.server.access.Authenticator.Identity;
import io.stowage.server.access.Authenticator.Scheme;
import io.stowage.server.auth.AccessPolicy;
import io.stowage.server.auth.Challenges;
import io.stowage.server.auth.Principal;
import io.stowage.server.auth.ReloadingFile;
import io.stowage.server.auth.ResourceScope;
import io.stowage.server.http.Caller;
import io.stowage.server.http.RequestContext;
import io.stowage.server.http.RequestGuard;
import io.stowage.storage.oci.RepositoryName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * Decides every request with authentication on: finds the rule of the route's action
 * ({@link AccessRules}; none means refused), establishes who the caller is ({@link Authenticator}),
 * and lets it through or refuses it:
 * <ul>
 *   <li>401 {@code UNAUTHORIZED} with a challenge when signing in could help: no credentials, bad
 *       ones, or a token without the access asked for that the policy would give
 *       ({@code error="insufficient_scope"}: the client fetches a new token);</li>
 *   <li>403 {@code DENIED} when a signed-in caller is not allowed, and signing in again would not
 *       change that;</li>
 *   <li>429 when the user name or address failed too many logins.</li>
 * </ul>
 * The caller becomes the request's {@link Caller}, whose name is the actor of its audit record;
 * a refused login leaves the name it tried, and {@link RequestContext#authProblem} says why.
 *
 * <p>In {@code basic} mode every request may carry {@code Basic} credentials. In {@code token}
 * mode requests carry {@code Bearer} tokens, and only the token endpoint takes a password.
 * Thread-safe.
 */
final class AccessGuard implements RequestGuard {
    private static final Logger log = LoggerFactory.getLogger(AccessGuard.class);
    private static final Caller ANONYMOUS_NOBODY = Caller.nobody(RequestContext.ANONYMOUS);

    private final AccessRules rules;
    private final Authenticator authenticator;
    private final ReloadingFile<AccessPolicy> policy;
    private final Refusals refusals;
    private final boolean tokens;
    /** Our {@code iss}, to know which tokens the policy stands behind; null without tokens. */
    private final String ourIssuer;

    /** @param ourIssuer our token issuer in {@code token} mode; null in {@code basic} mode */
    AccessGuard(AccessRules rules, Authenticator authenticator, ReloadingFile<AccessPolicy> policy, Refusals refusals,
                String ourIssuer) {
        this.rules = rules;
        this.authenticator = authenticator;
        this.policy = policy;
        this.refusals = refusals;
        this.tokens = ourIssuer != null;
        this.ourIssuer = ourIssuer;
    }

    @Override
    public void check(RequestContext request) {
        Rule rule = rules.ruleFor(request.action()).orElse(null);
        if (rule == null) {
            log.error("refused a request whose action has no access rule action={} path={}", request.action(),
                    request.path());
            throw refusals.denied("no access rule for " + request.action(), null);
        }
        if (rule instanceof Open) {
            request.identify(ANONYMOUS_NOBODY);
            return;
        }
        // A name that fails the grammar names nothing stored: say so plainly rather than 401/403.
        String repository = rule instanceof OnRepository ? RepositoryName.validate(request.pathParam("name")) : null;
        Scheme scheme = schemeFor(rule);
        Identity identity;
        try {
            identity = authenticator.authenticate(request.header(HttpHeaderNames.AUTHORIZATION),
                    request.remoteAddress(), scheme);
        } catch (Authenticator.Failure failure) {
            throw refuseLogin(request, rule, repository, scheme, failure);
        }
        Rights rights = rights(identity, policy.current());
        request.identify(rights);
        if (!allows(rule, rights, repository)) {
            throw refuse(request, rule, rights, repository);
        }
    }

    @Override
    public boolean allowsWithoutBlocking(RequestContext request) {
        Rule rule = rules.ruleFor(request.action()).orElse(null);
        if (rule == null) {
            return false;
        }
        if (rule instanceof Open) {
            request.identify(ANONYMOUS_NOBODY);
            return true;
        }
        String repository = null;
        if (rule instanceof OnRepository) {
            repository = request.pathParam("name");
            if (!RepositoryName.isValid(repository)) {
                return false;
            }
        }
        AccessPolicy current = policy.currentIfNoLookDue();
        if (current == null) {
            return false;
        }
        Identity identity = authenticator.cached(request.header(HttpHeaderNames.AUTHORIZATION), schemeFor(rule));
        if (identity == null) {
            return false;
        }
        Rights rights = rights(identity, current);
        if (!allows(rule, rights, repository)) {
            return false;
        }
        request.identify(rights);
        return true;
    }

    /** Passwords everywhere in basic mode; in token mode only where a token is got. */
    private Scheme schemeFor(Rule rule) {
        return !tokens || rule instanceof Login ? Scheme.BASIC : Scheme.BEARER;
    }

    private static Rights rights(Identity identity, AccessPolicy policy) {
        if (identity instanceof Identity.User user) {
            return new Rights.FromPolicy(policy.principal(user.name()), policy);
        }
        if (identity instanceof Identity.Token token) {
            Principal subject = token.token().subject();
            Principal principal = subject.anonymous() ? Principal.ANONYMOUS : policy.principal(subject.name());
            return new Rights.FromToken(token.token(), principal, policy);
        }
        return new Rights.FromPolicy(Principal.ANONYMOUS, policy);
    }

    private static boolean allows(Rule rule, Rights rights, String repository) {
        if (rule instanceof Login) {
            return true;
        }
        if (rule instanceof SignedIn) {
            return rights.signedIn();
        }
        if (rule instanceof OnRepository onRepository) {
            return rights.may(repository, onRepository.action());
        }
        if (rule instanceof WithRole withRole) {
            return rights.hasRole(withRole.role());
        }
        return false;
    }

    private RuntimeException refuseLogin(RequestContext request, Rule rule, String repository, Scheme scheme,
                                         Authenticator.Failure failure) {
        request.identify(Caller.nobody(failure.user() == null ? RequestContext.ANONYMOUS : failure.user()));
        request.noteAuthProblem(failure.getMessage());
        return switch (failure.kind()) {
            case THROTTLED -> refusals.throttled(failure.retryAfter());
            case BAD_TOKEN -> refusals.bearer(request, scopes(rule, repository), Challenges.INVALID_TOKEN,
                    "the token is not valid (expired, or not for this registry)", null);
            case BAD_PASSWORD -> refusals.basic("wrong user name or password", null);
            case MALFORMED, WRONG_SCHEME -> scheme == Scheme.BASIC
                    ? refusals.basic("send a user name and password (Basic)", null)
                    : refusals.bearer(request, scopes(rule, repository), Challenges.INVALID_TOKEN,
                    "send a Bearer token from the token endpoint", null);
        };
    }

    private RuntimeException refuse(RequestContext request, Rule rule, Rights rights, String repository) {
        Map<String, Object> detail = detail(rule, repository);
        String what = describe(rule, repository);
        if (!rights.signedIn()) {
            request.noteAuthProblem("not signed in");
            if (!tokens) {
                return refusals.basic("authentication required to " + what, detail);
            }
            List<ResourceScope> scopes = scopes(rule, repository);
            // An anonymous token that lacks a scope: a token for it (signed in, maybe) is the way on.
            String error = rights instanceof Rights.FromToken && !scopes.isEmpty() ? Challenges.INSUFFICIENT_SCOPE : null;
            return refusals.bearer(request, scopes, error, "authentication required to " + what, detail);
        }
        if (rights instanceof Rights.FromToken token && rule instanceof OnRepository onRepository
                && tokenCouldHaveIt(token, repository, onRepository)) {
            // The policy would grant it: this token was asked for less. A new one will do.
            request.noteAuthProblem("token lacks the scope");
            return refusals.bearer(request, scopes(rule, repository), Challenges.INSUFFICIENT_SCOPE,
                    "the token does not allow this; get one for " + scopes(rule, repository).get(0), detail);
        }
        return refusals.denied(rights.name() + " may not " + what, detail);
    }

    /** Whether a fresh token for the scope might carry it: ours if the policy grants it, an external issuer's maybe. */
    private boolean tokenCouldHaveIt(Rights.FromToken rights, String repository, OnRepository rule) {
        if (!ourIssuer.equals(rights.token().issuer())) {
            return true;
        }
        return rights.policy().allows(rights.principal(), repository, rule.action());
    }

    /** What a token needs for the rule, for the challenge's {@code scope}. */
    private static List<ResourceScope> scopes(Rule rule, String repository) {
        if (rule instanceof OnRepository onRepository) {
            return List.of(ResourceScope.repository(repository, List.of(onRepository.action().wireName())));
        }
        if (rule instanceof SignedIn signedIn && signedIn.tokenScope() != null) {
            return List.of(signedIn.tokenScope());
        }
        return List.of();
    }

    private static String describe(Rule rule, String repository) {
        if (rule instanceof OnRepository onRepository) {
            return onRepository.action().wireName() + " " + repository;
        }
        if (rule instanceof WithRole withRole) {
            return "use this without the " + withRole.role().wireName() + " role";
        }
        return "use this";
    }

    private static Map<String, Object> detail(Rule rule, String repository) {
        if (rule instanceof OnRepository onRepository) {
            return Map.of("repository", repository, "action", onRepository.action().wireName());
        }
        if (rule instanceof WithRole withRole) {
            return Map.of("role", withRole.role().wireName());
        }
        return null;
    }
}
