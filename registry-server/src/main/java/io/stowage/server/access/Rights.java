package io.stowage.server.access;

import io.stowage.server.auth.AccessPolicy;
import io.stowage.server.auth.Action;
import io.stowage.server.auth.Principal;
import io.stowage.server.auth.VerifiedToken;
import io.stowage.server.http.Caller;

/**
 * A caller as the guard decides about it: who it is and what it may do, taken either from the
 * policy (a password, or no credentials) or from a bearer token. Immutable: it holds the policy
 * version in force when the request was checked, so one request is judged by one version.
 */
sealed interface Rights extends Caller permits Rights.FromPolicy, Rights.FromToken {

    /** Who: a user with its policy groups, or {@link Principal#ANONYMOUS}. */
    Principal principal();

    /** Whether the caller is a user (a password, or a token with a subject), not anonymous. */
    default boolean signedIn() {
        return !principal().anonymous();
    }

    /** Whether it may do the repository action {@code action} on {@code repository}. */
    boolean may(String repository, Action action);

    /** Whether it has the registry-wide role {@code role}; anonymous callers have none. */
    boolean hasRole(Action role);

    @Override
    default String name() {
        return principal().toString();
    }

    @Override
    default boolean mayPull(String repository) {
        return repository != null && may(repository, Action.PULL);
    }

    /** A user who gave its password, or a caller without credentials: the policy says everything. */
    record FromPolicy(Principal principal, AccessPolicy policy) implements Rights {
        @Override
        public boolean may(String repository, Action action) {
            return policy.allows(principal, repository, action);
        }

        @Override
        public boolean hasRole(Action role) {
            return signedIn() && policy.hasRole(principal, role);
        }

        /** Auditors see every repository, as the token endpoint gives them {@code registry:catalog:*}. */
        @Override
        public boolean listsWholeCatalog() {
            return hasRole(Action.AUDITOR);
        }
    }

    /**
     * A bearer token: repository actions are what its {@code access} claim lists, nothing more (the
     * token protocol's least privilege: a client gets a token for what it is about to do). Tokens
     * carry no roles, so the admin API asks the policy about the token's subject.
     *
     * @param principal the token's subject with its policy groups
     */
    record FromToken(VerifiedToken token, Principal principal, AccessPolicy policy) implements Rights {
        @Override
        public boolean may(String repository, Action action) {
            return token.allows(repository, action);
        }

        @Override
        public boolean hasRole(Action role) {
            return signedIn() && policy.hasRole(principal, role);
        }

        @Override
        public boolean listsWholeCatalog() {
            return token.allowsCatalog();
        }
    }
}
