package io.stowage.server.auth;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a grant allows. The first three act on repositories and are the action names of Docker
 * registry token scopes; the last two are registry-wide roles for the admin API.
 */
public enum Action {
    /** Read manifests, blobs and tags of a repository. */
    PULL("pull", false),
    /** Upload blobs and manifests, move tags. Does not include pull: see {@link AccessPolicy}. */
    PUSH("push", false),
    /** Delete manifests, tags and blobs. */
    DELETE("delete", false),
    /** The admin API: GC control, recovery, audit. Includes {@link #AUDITOR}. */
    ADMIN("admin", true),
    /** The read-only part of the admin API: audit queries, GC status, tag history. */
    AUDITOR("auditor", true);

    private final String wireName;
    private final boolean role;

    Action(String wireName, boolean role) {
        this.wireName = wireName;
        this.role = role;
    }

    /** The name in policy files and token scopes, e.g. {@code pull}. */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** True for the registry-wide roles {@code admin} and {@code auditor}. */
    public boolean isRole() {
        return role;
    }

    /** The action of this name; the message lists the known names, for a policy file with a typo. */
    @JsonCreator
    public static Action fromName(String name) {
        return byName(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown action '" + name + "'; known actions: " + knownNames()));
    }

    /** The action of this name, or empty. Case-sensitive: policy files and scopes use lower case. */
    public static Optional<Action> byName(String name) {
        for (Action action : values()) {
            if (action.wireName.equals(name)) {
                return Optional.of(action);
            }
        }
        return Optional.empty();
    }

    static String knownNames() {
        return Arrays.stream(values()).map(Action::wireName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return wireName;
    }
}
