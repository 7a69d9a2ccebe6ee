package io.stowage.server.access;

import io.stowage.server.auth.Action;
import io.stowage.server.auth.ResourceScope;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What each route's action needs, in one table: the one place to read who may call what. An
 * action the table does not name is refused ({@link AccessGuard} fails closed), and the registry
 * will not start with a route whose action is missing here ({@link #uncovered}). Immutable.
 */
public final class AccessRules {

    /** What an action needs. */
    public sealed interface Rule {
    }

    /** Nothing: probes and the answers to unknown routes. Credentials sent along are not even read. */
    public record Open() implements Rule {
    }

    /**
     * Anybody, but a user name and password sent along must be right: the token endpoint, where a
     * caller without credentials gets the anonymous grants.
     */
    public record Login() implements Rule {
    }

    /**
     * A signed-in user (a password, or a token with a subject), whatever the policy grants it:
     * {@code GET /v2/}, which {@code docker login} calls to check credentials, and the catalog,
     * which then lists only what the user may see.
     *
     * @param tokenScope what a token for it should ask for (the catalog's {@code registry:catalog:*},
     *                   which auditors get); null for none
     */
    public record SignedIn(ResourceScope tokenScope) implements Rule {
    }

    /** A repository action ({@code pull}, {@code push}, {@code delete}) on the repository of the path's {@code name}. */
    public record OnRepository(Action action) implements Rule {
        public OnRepository {
            if (action.isRole()) {
                throw new IllegalArgumentException(action + " is a role, not a repository action");
            }
        }
    }

    /** A registry-wide role: {@code admin}, or {@code auditor} (which every admin has too). */
    public record WithRole(Action role) implements Rule {
        public WithRole {
            if (!role.isRole()) {
                throw new IllegalArgumentException(role + " is a repository action, not a role");
            }
        }
    }

    private static final ResourceScope CATALOG_SCOPE = new ResourceScope(ResourceScope.REGISTRY, null,
            ResourceScope.CATALOG, List.of(ResourceScope.ALL));
    private static final Rule OPEN = new Open();
    private static final Rule PULL = new OnRepository(Action.PULL);
    private static final Rule PUSH = new OnRepository(Action.PUSH);
    private static final Rule DELETE = new OnRepository(Action.DELETE);
    private static final Rule ADMIN = new WithRole(Action.ADMIN);
    private static final Rule AUDITOR = new WithRole(Action.AUDITOR);

    private final Map<String, Rule> rules;

    private AccessRules(Map<String, Rule> rules) {
        this.rules = Map.copyOf(rules);
    }

    /** The registry's table. A new route needs a line here, or the registry refuses to start. */
    public static AccessRules standard() {
        Map<String, Rule> r = new LinkedHashMap<>();
        // Operations: orchestrators probe without credentials.
        r.put("ops.health", OPEN);
        r.put("ops.ready", OPEN);
        // A 404 or 405 for a path no route serves: it names nothing that is stored.
        r.put("route.unknown", OPEN);

        r.put("auth.token", new Login());
        r.put("api.check", new SignedIn(null));
        r.put("catalog.list", new SignedIn(CATALOG_SCOPE));

        r.put("manifest.get", PULL);
        r.put("manifest.head", PULL);
        r.put("blob.get", PULL);
        r.put("blob.head", PULL);
        r.put("tag.list", PULL);
        r.put("referrers.list", PULL);

        r.put("manifest.put", PUSH);
        r.put("blob.upload.start", PUSH);
        r.put("blob.upload.chunk", PUSH);
        r.put("blob.upload.complete", PUSH);
        // Where a push got to, and giving it up, belong to the push: an upload session is the
        // pusher's own unfinished work, not content of the repository that 'delete' protects.
        r.put("blob.upload.status", PUSH);
        r.put("blob.upload.cancel", PUSH);

        r.put("manifest.delete", DELETE);
        r.put("blob.delete", DELETE);

        // The admin API: reading is for auditors (and admins), changing for admins.
        r.put("gc.status", AUDITOR);
        r.put("gc.run.list", AUDITOR);
        r.put("gc.run.get", AUDITOR);
        r.put("gc.pause", ADMIN);
        r.put("gc.resume", ADMIN);
        r.put("gc.run.start", ADMIN);
        r.put("tag.deleted.list", AUDITOR);
        r.put("manifest.deleted.list", AUDITOR);
        r.put("tag.history", AUDITOR);
        r.put("tag.undelete", ADMIN);
        r.put("manifest.undelete", ADMIN);
        r.put("audit.query", AUDITOR);
        // Verifying signs a checkpoint first, but changes no record: an auditor's job.
        r.put("audit.verify", AUDITOR);
        r.put("audit.publicKey", AUDITOR);
        r.put("audit.shipping", AUDITOR);
        r.put("audit.purge", ADMIN);
        // Re-import and import store content and restore tags: admins only; their reports are for auditors too.
        r.put("recovery.reimport", ADMIN);
        r.put("import.start", ADMIN);
        r.put("import.list", AUDITOR);
        r.put("import.get", AUDITOR);
        // A backup writes where the admin says on the registry's host; its reports are for auditors too.
        r.put("backup.start", ADMIN);
        r.put("backup.list", AUDITOR);
        r.put("backup.get", AUDITOR);
        // A scrub quarantines and repairs content: admins start it; its status and reports are for auditors too.
        r.put("scrub.start", ADMIN);
        r.put("scrub.status", AUDITOR);
        r.put("scrub.run.list", AUDITOR);
        r.put("scrub.run.get", AUDITOR);
        return new AccessRules(r);
    }

    /** A table of exactly these rules, for tests of the guard. */
    static AccessRules of(Map<String, Rule> rules) {
        return new AccessRules(rules);
    }

    /** The rule of {@code action}, or empty when the table has none (which means: refuse). */
    public Optional<Rule> ruleFor(String action) {
        return action == null ? Optional.empty() : Optional.ofNullable(rules.get(action));
    }

    /** Of {@code actions}, those without a rule, sorted. */
    public Set<String> uncovered(Collection<String> actions) {
        Set<String> missing = new TreeSet<>();
        for (String action : actions) {
            if (!rules.containsKey(action)) {
                missing.add(action);
            }
        }
        return missing;
    }
}
