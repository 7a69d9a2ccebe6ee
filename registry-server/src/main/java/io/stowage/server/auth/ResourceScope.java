package io.stowage.server.auth;

import io.stowage.storage.oci.RepositoryName;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One resource scope of the Docker registry token protocol: what a client asks for in the
 * {@code scope} parameter of a token request, and one entry of a token's {@code access} claim.
 * Immutable.
 *
 * <pre>
 * repository:team-a/app:pull,push      type ':' name ':' actions (comma-separated)
 * repository(plugin):team-a/app:pull   a type may carry a class in parentheses
 * registry:catalog:*                   the catalog (GET /v2/_catalog)
 * </pre>
 *
 * <p>The name is everything between the first and the last {@code ':'}; a repository name must be
 * a valid repository name of the distribution spec (so no {@code host:port/} prefix), any other
 * type's name letters, digits and {@code . _ - /}. Actions are lower-case words or {@code *}.
 *
 * @param type          e.g. {@code repository}
 * @param resourceClass the class in parentheses, e.g. {@code plugin}; null when there is none
 * @param name          e.g. {@code team-a/app}
 * @param actions       e.g. {@code [pull, push]}, without duplicates, in the order given; may be
 *                      empty in a token's claim, never in a request
 */
public record ResourceScope(String type, String resourceClass, String name, List<String> actions) {
    public static final String REPOSITORY = "repository";
    public static final String REGISTRY = "registry";
    /** The name of the catalog resource, of type {@link #REGISTRY}. */
    public static final String CATALOG = "catalog";
    /** The action of all actions, e.g. in {@code registry:catalog:*}. */
    public static final String ALL = "*";

    /** Longer scopes are refused unread: a repository name is at most 255 characters. */
    private static final int MAX_LENGTH = 1024;
    private static final Pattern TYPE_WORD = Pattern.compile("[a-z0-9]+");
    private static final Pattern OTHER_NAME = Pattern.compile("[A-Za-z0-9._/-]+");
    private static final Pattern ACTION = Pattern.compile("[a-z]+|\\*");

    public ResourceScope {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        actions = List.copyOf(new LinkedHashSet<>(actions));
    }

    /** {@code repository:NAME:ACTIONS}. */
    public static ResourceScope repository(String name, Collection<String> actions) {
        return new ResourceScope(REPOSITORY, null, name, List.copyOf(actions));
    }

    /**
     * Parses the value of one or more {@code scope} parameters: each may hold several scopes
     * separated by spaces, as the token spec allows.
     */
    public static List<ResourceScope> parseAll(Collection<String> parameters) throws InvalidScopeException {
        List<ResourceScope> scopes = new ArrayList<>();
        for (String parameter : parameters) {
            if (parameter == null) {
                continue;
            }
            for (String one : parameter.split(" ")) {
                if (!one.isEmpty()) {
                    scopes.add(parse(one));
                }
            }
        }
        return scopes;
    }

    /** Parses one scope, e.g. {@code repository:team-a/app:pull,push}. */
    public static ResourceScope parse(String scope) throws InvalidScopeException {
        if (scope == null || scope.isEmpty()) {
            throw new InvalidScopeException("empty scope");
        }
        if (scope.length() > MAX_LENGTH) {
            throw new InvalidScopeException("scope longer than " + MAX_LENGTH + " characters");
        }
        int first = scope.indexOf(':');
        int last = scope.lastIndexOf(':');
        if (first < 0 || first == last) {
            throw invalid(scope, "expected type:name:actions");
        }
        String typePart = scope.substring(0, first);
        String name = scope.substring(first + 1, last);
        String actionPart = scope.substring(last + 1);

        String type = typePart;
        String resourceClass = null;
        int open = typePart.indexOf('(');
        if (open >= 0) {
            if (!typePart.endsWith(")") || open == 0) {
                throw invalid(scope, "a resource type with a class is written type(class)");
            }
            type = typePart.substring(0, open);
            resourceClass = typePart.substring(open + 1, typePart.length() - 1);
            if (!TYPE_WORD.matcher(resourceClass).matches()) {
                throw invalid(scope, "a resource class is lower-case letters and digits");
            }
        }
        if (!TYPE_WORD.matcher(type).matches()) {
            throw invalid(scope, "a resource type is lower-case letters and digits");
        }
        checkName(scope, type, name);
        if (actionPart.isEmpty()) {
            throw invalid(scope, "no actions");
        }
        List<String> actions = new ArrayList<>();
        for (String action : actionPart.split(",", -1)) {
            if (!ACTION.matcher(action).matches()) {
                throw invalid(scope, action.isEmpty() ? "an empty action" : "actions are lower-case words or *");
            }
            actions.add(action);
        }
        return new ResourceScope(type, resourceClass, name, actions);
    }

    /** Reads one entry of a token's {@code access} claim; the inverse of {@link #toClaim}. */
    public static ResourceScope fromClaim(Object entry) throws InvalidScopeException {
        if (!(entry instanceof Map<?, ?> map)) {
            throw new InvalidScopeException("an access entry is not an object");
        }
        for (Object key : map.keySet()) {
            if (!List.of("type", "class", "name", "actions").contains(key)) {
                throw new InvalidScopeException("an access entry has the unknown field " + quote(String.valueOf(key)));
            }
        }
        if (!(map.get("type") instanceof String type) || !TYPE_WORD.matcher(type).matches()) {
            throw new InvalidScopeException("an access entry has no valid type");
        }
        Object classValue = map.get("class");
        if (classValue != null && !(classValue instanceof String c && TYPE_WORD.matcher(c).matches())) {
            throw new InvalidScopeException("an access entry has an invalid class");
        }
        if (!(map.get("name") instanceof String name)) {
            throw new InvalidScopeException("an access entry has no name");
        }
        checkName(type + ":" + name, type, name);
        Object actionsValue = map.get("actions");
        List<String> actions = new ArrayList<>();
        if (actionsValue != null) {
            if (!(actionsValue instanceof List<?> list)) {
                throw new InvalidScopeException("the actions of an access entry are not a list");
            }
            for (Object action : list) {
                if (!(action instanceof String text) || !ACTION.matcher(text).matches()) {
                    throw new InvalidScopeException("an access entry has an invalid action");
                }
                actions.add(text);
            }
        }
        return new ResourceScope(type, (String) classValue, name, actions);
    }

    /** This scope as a token's {@code access} entry: {@code {type, [class,] name, actions}}. */
    public Map<String, Object> toClaim() {
        Map<String, Object> claim = new LinkedHashMap<>();
        claim.put("type", type);
        if (resourceClass != null) {
            claim.put("class", resourceClass);
        }
        claim.put("name", name);
        claim.put("actions", actions);
        return claim;
    }

    /** Whether this is a scope on a repository (of any class). */
    public boolean isRepository() {
        return REPOSITORY.equals(type);
    }

    /** Whether this is the catalog scope {@code registry:catalog:...}. */
    public boolean isCatalog() {
        return REGISTRY.equals(type) && CATALOG.equals(name);
    }

    /** The same resource with other actions. */
    public ResourceScope withActions(Collection<String> newActions) {
        return new ResourceScope(type, resourceClass, name, List.copyOf(newActions));
    }

    /** The scope string, e.g. {@code repository:team-a/app:pull,push}, as parsed. */
    @Override
    public String toString() {
        return type + (resourceClass == null ? "" : "(" + resourceClass + ")") + ":" + name + ":" + String.join(",", actions);
    }

    private static void checkName(String scope, String type, String name) throws InvalidScopeException {
        if (name.isEmpty()) {
            throw invalid(scope, "empty resource name");
        }
        if (REPOSITORY.equals(type)) {
            if (!RepositoryName.isValid(name)) {
                throw invalid(scope, "not a valid repository name (lower-case path components joined by '/')");
            }
        } else if (!OTHER_NAME.matcher(name).matches()) {
            throw invalid(scope, "a resource name is letters, digits and . _ - /");
        }
    }

    private static InvalidScopeException invalid(String scope, String why) {
        return new InvalidScopeException("invalid scope " + quote(scope) + ": " + why);
    }

    /** The text for a message: at most 100 characters, control characters shown as '?'. */
    private static String quote(String text) {
        String shown = text.length() > 100 ? text.substring(0, 100) + "..." : text;
        return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
