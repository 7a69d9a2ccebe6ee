package io.stowage.server.auth;

import java.util.Objects;
import java.util.Set;

/**
 * Who is asking: a user with the groups the access policy (or an identity provider) gave it, or
 * the anonymous caller, whose name is empty. Immutable.
 *
 * @param name      the user name as written in the htpasswd file or a token's {@code sub}; empty
 *                  for the anonymous caller
 * @param groups    the groups this user belongs to, in addition to those the policy file lists
 * @param anonymous true for a caller that presented no credentials
 */
public record Principal(String name, Set<String> groups, boolean anonymous) {
    /** The caller without credentials. */
    public static final Principal ANONYMOUS = new Principal("", Set.of(), true);

    public Principal {
        Objects.requireNonNull(name, "name");
        groups = Set.copyOf(groups);
        if (anonymous && (!name.isEmpty() || !groups.isEmpty())) {
            throw new IllegalArgumentException("the anonymous principal has no name and no groups");
        }
        if (!anonymous && name.isEmpty()) {
            throw new IllegalArgumentException("a user principal needs a name");
        }
    }

    public static Principal user(String name) {
        return new Principal(name, Set.of(), false);
    }

    public static Principal user(String name, Set<String> groups) {
        return new Principal(name, groups, false);
    }

    /** For logs and audit records: the user name, or {@code anonymous}. */
    @Override
    public String toString() {
        return anonymous ? "anonymous" : name;
    }
}
