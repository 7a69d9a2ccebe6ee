package io.stowage.server.auth;

import java.time.Instant;
import java.util.List;

/**
 * What an accepted bearer token says: who, from which issuer, allowed what, until when. Immutable.
 *
 * @param subject   the user of {@code sub}, or {@link Principal#ANONYMOUS} for an empty one; with no
 *                  groups, since a token carries its access list instead
 * @param issuer    its {@code iss}
 * @param access    its {@code access} claim
 * @param expiresAt its {@code exp}
 * @param tokenId   its {@code jti}, or null; for the audit log
 */
public record VerifiedToken(Principal subject, String issuer, List<ResourceScope> access, Instant expiresAt,
                            String tokenId) {
    public VerifiedToken {
        access = List.copyOf(access);
    }

    /** Whether the token allows {@code action} on {@code repository} (a repository entry of any class). */
    public boolean allows(String repository, Action action) {
        if (action.isRole()) {
            return false;
        }
        for (ResourceScope scope : access) {
            if (scope.isRepository() && scope.name().equals(repository)
                    && (scope.actions().contains(action.wireName()) || scope.actions().contains(ResourceScope.ALL))) {
                return true;
            }
        }
        return false;
    }

    /** Whether the token allows listing the catalog ({@code registry:catalog:*}). */
    public boolean allowsCatalog() {
        for (ResourceScope scope : access) {
            if (scope.isCatalog() && scope.actions().contains(ResourceScope.ALL)) {
                return true;
            }
        }
        return false;
    }
}
