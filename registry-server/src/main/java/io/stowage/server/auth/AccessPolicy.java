package io.stowage.server.auth;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.stowage.storage.oci.RepositoryName;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Who may do what, loaded from a YAML policy file. Immutable and thread-safe; for a file that is
 * re-read when it changes, see {@link #watch}.
 *
 * <pre>
 * groups:
 *   devs: [alice, bob]
 *   ops: [carol]
 * grants:
 *   - groups: [devs]
 *     repositories: ["team-a/*", "base/**"]
 *     actions: [pull, push]
 *   - users: [ci-bot]
 *     repositories: ["team-a/*"]
 *     actions: [pull, push, delete]
 *   - groups: [ops]
 *     actions: [admin]            # registry-wide: no repositories, or ["**"]
 * anonymous:
 *   pull: ["public/**"]
 * </pre>
 *
 * <p>The rules:
 * <ul>
 *   <li><b>Least privilege.</b> Nothing is allowed that no grant gives. An empty file allows nothing.</li>
 *   <li><b>No action implies another.</b> {@code push} does not include {@code pull}, nor
 *       {@code delete} either. Docker and other clients pull (check for layers, read the manifest)
 *       while they push, so a grant for pushing usually lists {@code [pull, push]}; a push-only
 *       grant is for a client that is known to need nothing else.</li>
 *   <li><b>Roles are registry-wide.</b> {@code admin} (the admin API) and {@code auditor} (its
 *       read-only part) are given in grants without {@code repositories} or with {@code ["**"]};
 *       {@code admin} includes {@code auditor}. A role gives no repository action: an admin who
 *       also pushes needs {@code push} in a grant.</li>
 *   <li><b>Groups</b> are lists of user names in the file; a {@link Principal} may bring more
 *       groups (from an identity provider), which count if the file declares them (an empty list
 *       will do). A grant naming an undeclared group is refused, since that is almost always a typo.</li>
 *   <li><b>Anonymous access</b> is listed by action; anything anonymous callers may do, signed-in
 *       users may do too, so that signing in never takes access away.</li>
 * </ul>
 *
 * <p>Repository patterns: {@link RepositoryPattern}. A file with an unknown key, an unknown action,
 * a bad pattern or a bad name is refused with a message naming it and, where the YAML parser knows
 * it, its line.
 */
public final class AccessPolicy {
    private static final ObjectMapper YAML = new ObjectMapper(
            new YAMLFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final AccessPolicy DENY_ALL = new AccessPolicy(Map.of(), List.of(), Map.of());

    /** A grant with its names checked and its patterns compiled. */
    private record Grant(Set<String> users, Set<String> groups, List<RepositoryPattern> repositories,
                         Set<Action> actions) {
        boolean appliesTo(Principal principal, Set<String> memberships) {
            if (principal.anonymous()) {
                return false;
            }
            if (users.contains(principal.name())) {
                return true;
            }
            for (String group : groups) {
                if (memberships.contains(group)) {
                    return true;
                }
            }
            return false;
        }

        boolean covers(String repository) {
            for (RepositoryPattern pattern : repositories) {
                if (pattern.matches(repository)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Group name to its members, as declared. */
    private final Map<String, Set<String>> groupMembers;
    private final List<Grant> grants;
    private final Map<Action, List<RepositoryPattern>> anonymous;

    private AccessPolicy(Map<String, Set<String>> groupMembers, List<Grant> grants,
                         Map<Action, List<RepositoryPattern>> anonymous) {
        this.groupMembers = groupMembers;
        this.grants = grants;
        this.anonymous = anonymous;
    }

    /** The policy that allows nothing to anybody. */
    public static AccessPolicy denyAll() {
        return DENY_ALL;
    }

    /** The file's policy, re-read when the file changes (see {@link ReloadingFile}). */
    public static ReloadingFile<AccessPolicy> watch(Path file, Duration checkEvery, Clock clock)
            throws AuthFileException {
        return ReloadingFile.load(file, AccessPolicy::parse, checkEvery, clock);
    }

    /** Parses a policy file's bytes; a {@link ReloadingFile.Parser}. */
    public static AccessPolicy parse(Path file, byte[] content) throws AuthFileException {
        return parse(file.toString(), new String(content, StandardCharsets.UTF_8));
    }

    /**
     * Parses policy YAML.
     *
     * @param source what to call the file in messages
     * @throws AuthFileException naming the key, action, pattern or name that is wrong
     */
    public static AccessPolicy parse(String source, String yaml) throws AuthFileException {
        if (yaml.isBlank()) {
            return DENY_ALL;
        }
        PolicyDocument document;
        try {
            JsonNode tree = YAML.readTree(yaml);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                return DENY_ALL; // only comments
            }
            // Read the text again rather than the tree: only the parser knows the lines for messages.
            document = YAML.readValue(yaml, PolicyDocument.class);
        } catch (JsonProcessingException e) {
            throw new AuthFileException(describe(source, yaml, e), e);
        } catch (IOException e) {
            throw new AuthFileException(source + ": " + e.getMessage(), e);
        }
        if (document == null) {
            return DENY_ALL;
        }
        return compile(source, document);
    }

    /**
     * The principal of a signed-in user, with the groups this policy puts it in. Use for users
     * authenticated by password or by a token of ours.
     */
    public Principal principal(String user) {
        Set<String> groups = new HashSet<>();
        groupMembers.forEach((group, members) -> {
            if (members.contains(user)) {
                groups.add(group);
            }
        });
        return Principal.user(user, groups);
    }

    /**
     * Whether {@code principal} may do {@code action} on {@code repository}. For a role
     * ({@code admin}, {@code auditor}) the repository does not matter: see {@link #hasRole}. An
     * invalid repository name is allowed nothing.
     */
    public boolean allows(Principal principal, String repository, Action action) {
        if (action.isRole()) {
            return hasRole(principal, action);
        }
        if (repository == null || !RepositoryName.isValid(repository)) {
            return false;
        }
        for (RepositoryPattern pattern : anonymous.getOrDefault(action, List.of())) {
            if (pattern.matches(repository)) {
                return true;
            }
        }
        Set<String> memberships = memberships(principal);
        for (Grant grant : grants) {
            if (grant.actions().contains(action) && grant.appliesTo(principal, memberships) && grant.covers(repository)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Of the {@code requested} actions, those {@code principal} may do on {@code repository}: what a
     * token for the scope {@code repository:NAME:pull,push} may carry. Possibly empty.
     */
    public Set<Action> granted(Principal principal, String repository, Set<Action> requested) {
        Set<Action> granted = EnumSet.noneOf(Action.class);
        for (Action action : requested) {
            if (allows(principal, repository, action)) {
                granted.add(action);
            }
        }
        return granted;
    }

    /**
     * Whether {@code principal} has the registry-wide role {@code admin} or {@code auditor}; an admin
     * is an auditor too. Anonymous callers have no role.
     *
     * @throws IllegalArgumentException for an action that is not a role
     */
    public boolean hasRole(Principal principal, Action role) {
        if (!role.isRole()) {
            throw new IllegalArgumentException(role + " is a repository action, not a role");
        }
        Set<String> memberships = memberships(principal);
        for (Grant grant : grants) {
            boolean gives = grant.actions().contains(role) || (role == Action.AUDITOR && grant.actions().contains(Action.ADMIN));
            if (gives && grant.appliesTo(principal, memberships)) {
                return true;
            }
        }
        return false;
    }

    private Set<String> memberships(Principal principal) {
        if (principal.anonymous()) {
            return Set.of();
        }
        Set<String> memberships = new HashSet<>(principal.groups());
        groupMembers.forEach((group, members) -> {
            if (members.contains(principal.name())) {
                memberships.add(group);
            }
        });
        return memberships;
    }

    private static AccessPolicy compile(String source, PolicyDocument document) throws AuthFileException {
        Map<String, Set<String>> groups = new LinkedHashMap<>();
        if (document.groups != null) {
            for (Map.Entry<String, List<String>> group : document.groups.entrySet()) {
                String where = "groups." + group.getKey();
                checkName(source, "groups", group.getKey(), "group name");
                groups.put(group.getKey(), Set.copyOf(names(source, where, group.getValue(), "user name")));
            }
        }
        List<Grant> grants = new ArrayList<>();
        List<PolicyDocument.Grant> written = document.grants == null ? List.of() : document.grants;
        for (int i = 0; i < written.size(); i++) {
            grants.add(compileGrant(source, "grants[" + i + "]", written.get(i), groups.keySet()));
        }
        Map<Action, List<RepositoryPattern>> anonymous = new HashMap<>();
        PolicyDocument.Anonymous anon = document.anonymous;
        if (anon != null) {
            putPatterns(source, anonymous, Action.PULL, anon.pull);
            putPatterns(source, anonymous, Action.PUSH, anon.push);
            putPatterns(source, anonymous, Action.DELETE, anon.delete);
        }
        return new AccessPolicy(Map.copyOf(groups), List.copyOf(grants), Map.copyOf(anonymous));
    }

    private static Grant compileGrant(String source, String where, PolicyDocument.Grant grant, Set<String> declaredGroups)
            throws AuthFileException {
        if (grant == null) {
            throw new AuthFileException(source + ": " + where + " is empty");
        }
        List<String> users = names(source, where + ".users", grant.users, "user name");
        List<String> groups = names(source, where + ".groups", grant.groups, "group name");
        for (String group : groups) {
            if (!declaredGroups.contains(group)) {
                throw new AuthFileException(source + ": " + where + ".groups names group '" + group
                        + "', which is not declared under 'groups:' (declare it, with an empty list if its members"
                        + " come from elsewhere)");
            }
        }
        if (users.isEmpty() && groups.isEmpty()) {
            throw new AuthFileException(source + ": " + where + " names no users and no groups, so it would apply to nobody");
        }
        if (grant.actions == null || grant.actions.isEmpty()) {
            throw new AuthFileException(source + ": " + where + " lists no actions");
        }
        if (grant.actions.contains(null)) {
            throw new AuthFileException(source + ": " + where + ".actions has an empty entry");
        }
        Set<Action> actions = EnumSet.copyOf(grant.actions);
        boolean hasRole = actions.stream().anyMatch(Action::isRole);
        boolean hasRepositoryAction = actions.stream().anyMatch(action -> !action.isRole());
        List<RepositoryPattern> repositories = patterns(source, where + ".repositories", grant.repositories);
        if (hasRole && !(grant.repositories == null
                || (repositories.size() == 1 && repositories.get(0).matchesEverything()))) {
            throw new AuthFileException(source + ": " + where + " gives a registry-wide role (admin, auditor) for some"
                    + " repositories only; give roles in a grant without 'repositories' or with [\"**\"]");
        }
        if (hasRepositoryAction && repositories.isEmpty()) {
            throw new AuthFileException(source + ": " + where + " gives repository actions but lists no repositories"
                    + " (use [\"**\"] for all of them)");
        }
        return new Grant(Set.copyOf(users), Set.copyOf(groups), repositories, actions);
    }

    private static void putPatterns(String source, Map<Action, List<RepositoryPattern>> anonymous, Action action,
                                    List<String> texts) throws AuthFileException {
        List<RepositoryPattern> patterns = patterns(source, "anonymous." + action.wireName(), texts);
        if (!patterns.isEmpty()) {
            anonymous.put(action, patterns);
        }
    }

    private static List<RepositoryPattern> patterns(String source, String where, List<String> texts)
            throws AuthFileException {
        List<RepositoryPattern> patterns = new ArrayList<>();
        if (texts == null) {
            return patterns;
        }
        for (String text : texts) {
            try {
                patterns.add(RepositoryPattern.parse(text));
            } catch (IllegalArgumentException e) {
                throw new AuthFileException(source + ": " + where + ": " + e.getMessage());
            }
        }
        return List.copyOf(patterns);
    }

    private static List<String> names(String source, String where, Collection<String> names, String what)
            throws AuthFileException {
        if (names == null) {
            return List.of();
        }
        List<String> checked = new ArrayList<>();
        for (String name : names) {
            checkName(source, where, name, what);
            checked.add(name);
        }
        return checked;
    }

    private static void checkName(String source, String where, String name, String what) throws AuthFileException {
        if (UserNames.problem(name).isPresent()) {
            String shown = name == null ? "an empty entry" : "'" + name.replaceAll("\\p{Cntrl}", "?") + "'";
            throw new AuthFileException(source + ": " + where + " has " + shown + ", which is not a valid " + what
                    + " (no ':', whitespace or control characters)");
        }
    }

    /** A YAML or mapping error as the operator needs it: file, line, where in the document, what. */
    private static String describe(String source, String yaml, JsonProcessingException e) {
        StringBuilder message = new StringBuilder(source);
        JsonLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0) {
            int line = location.getLineNr();
            if (e instanceof UnrecognizedPropertyException unknown) {
                line = keyLine(yaml, unknown.getPropertyName(), line);
            }
            message.append(" line ").append(line);
        }
        String path = e instanceof JsonMappingException mapping ? path(mapping.getPath()) : "";
        if (!path.isEmpty()) {
            message.append(" (").append(path).append(')');
        }
        message.append(": ").append(what(e, path));
        return message.toString();
    }

    /**
     * The line of {@code key}: the parser reports where the key's value starts, which for a block
     * value is the line after the key, so look back for the key itself.
     */
    private static int keyLine(String yaml, String key, int valueLine) {
        String[] lines = yaml.split("\n", -1);
        Pattern keyAtStart = Pattern.compile("^[\\s-]*[\"']?" + Pattern.quote(key) + "[\"']?\\s*:");
        for (int i = Math.min(valueLine, lines.length); i >= Math.max(1, valueLine - 20); i--) {
            if (keyAtStart.matcher(lines[i - 1]).find()) {
                return i;
            }
        }
        return valueLine;
    }

    private static String what(JsonProcessingException e, String path) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            String key = unknown.getPropertyName();
            if (path.startsWith("anonymous.") && Action.byName(key).map(Action::isRole).orElse(false)) {
                return "anonymous callers cannot have the role '" + key + "'";
            }
            Set<String> known = new TreeSet<>();
            if (unknown.getKnownPropertyIds() != null) {
                unknown.getKnownPropertyIds().forEach(id -> known.add(String.valueOf(id)));
            }
            return "unknown key '" + key + "'; known keys here: " + String.join(", ", known);
        }
        if (e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException cause) {
            return cause.getMessage();
        }
        if (e instanceof InvalidFormatException invalid && invalid.getTargetType() == Action.class) {
            return "unknown action '" + invalid.getValue() + "'; known actions: " + Action.knownNames();
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            Class<?> type = mismatch.getTargetType();
            if (Collection.class.isAssignableFrom(type)) {
                return "expected a list, like [a, b]";
            }
            if (Map.class.isAssignableFrom(type) || type.isRecord()) {
                return "expected a mapping of keys to values";
            }
            if (type == String.class) {
                return "expected a single value";
            }
        }
        return e.getOriginalMessage();
    }

    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : references) {
            if (reference.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }
}
