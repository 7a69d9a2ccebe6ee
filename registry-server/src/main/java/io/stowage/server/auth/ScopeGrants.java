package io.stowage.server.auth;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Answers a token request: which of the requested scopes the policy gives a principal. Stateless.
 *
 * <ul>
 *   <li>{@code repository:NAME:ACTIONS} (of any class): the requested {@code pull}, {@code push},
 *       {@code delete} that {@link AccessPolicy#granted} allows; {@code *} asks for all three.
 *       Other action names are ignored.</li>
 *   <li>{@code registry:catalog:*}: given whole to an {@code auditor} (so to an admin too), since
 *       the catalog lists every repository, whatever the caller may pull.</li>
 *   <li>Anything else is not given. A scope with no action left is left out of the answer, as the
 *       token spec asks: the client then gets a token that cannot do what it wanted, and a 401
 *       from the registry when it tries.</li>
 * </ul>
 * The same resource asked for twice (as Docker does for pull then push) gets one entry.
 */
public final class ScopeGrants {
    private static final Set<Action> REPOSITORY_ACTIONS = EnumSet.of(Action.PULL, Action.PUSH, Action.DELETE);

    private ScopeGrants() {
    }

    public static List<ResourceScope> grant(AccessPolicy policy, Principal principal, List<ResourceScope> requested) {
        Map<String, ResourceScope> merged = new LinkedHashMap<>();
        for (ResourceScope scope : requested) {
            String key = scope.type() + "(" + scope.resourceClass() + ")" + scope.name();
            ResourceScope earlier = merged.get(key);
            if (earlier == null) {
                merged.put(key, scope);
            } else {
                List<String> actions = new ArrayList<>(earlier.actions());
                actions.addAll(scope.actions());
                merged.put(key, earlier.withActions(actions));
            }
        }
        List<ResourceScope> granted = new ArrayList<>();
        for (ResourceScope scope : merged.values()) {
            List<String> actions = grantedActions(policy, principal, scope);
            if (!actions.isEmpty()) {
                granted.add(scope.withActions(actions));
            }
        }
        return granted;
    }

    private static List<String> grantedActions(AccessPolicy policy, Principal principal, ResourceScope scope) {
        if (scope.isRepository()) {
            Set<Action> asked = EnumSet.noneOf(Action.class);
            for (String action : scope.actions()) {
                if (ResourceScope.ALL.equals(action)) {
                    asked.addAll(REPOSITORY_ACTIONS);
                } else {
                    Action.byName(action).filter(REPOSITORY_ACTIONS::contains).ifPresent(asked::add);
                }
            }
            List<String> names = new ArrayList<>();
            for (Action action : policy.granted(principal, scope.name(), asked)) {
                names.add(action.wireName());
            }
            return names;
        }
        if (scope.isCatalog() && scope.actions().contains(ResourceScope.ALL) && policy.hasRole(principal, Action.AUDITOR)) {
            return List.of(ResourceScope.ALL);
        }
        return List.of();
    }
}
