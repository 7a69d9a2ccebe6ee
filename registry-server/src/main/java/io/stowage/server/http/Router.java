package io.stowage.server.http;

import io.netty.handler.codec.http.HttpMethod;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Maps a method and path to an {@link Endpoint}. Routes are regular expressions with named
 * groups, tried in the order they were added; a repository name may contain '/', so routes are
 * told apart by their fixed suffix ({@code /manifests/<reference>}, {@code /blobs/<digest>} ...).
 * A path no route matches is 404, a known path with another method 405 with an {@code Allow}
 * header, both as OCI errors. Built once at start-up, then read-only and thread-safe.
 */
public final class Router {
    private static final Pattern GROUP_NAME = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");

    private final List<Route> routes = new ArrayList<>();

    /** Adds a route; {@code pathRegex} is matched against the whole path. */
    public RouteBuilder route(String pathRegex) {
        Route route = new Route(Pattern.compile(pathRegex), groupNames(pathRegex), RequiredText.of(pathRegex),
                new LinkedHashMap<>());
        routes.add(route);
        return new RouteBuilder(route);
    }

    /** Finds the endpoint for a request, or throws the 404/405 OCI error. */
    public Match match(HttpMethod method, String path) {
        for (Route route : routes) {
            // A substring test first: most routes are ruled out without running their expression,
            // whose '.+' for the repository name backtracks over the whole path.
            if (!path.contains(route.requiredText)) {
                continue;
            }
            Matcher matcher = route.pattern.matcher(path);
            if (!matcher.matches()) {
                continue;
            }
            Action action = route.endpoints.get(method);
            if (action == null) {
                String allow = route.endpoints.keySet().stream().map(HttpMethod::name).collect(Collectors.joining(", "));
                throw new MethodNotAllowed(method, allow);
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (String group : route.groups) {
                params.put(group, matcher.group(group));
            }
            return new Match(action.endpoint(), params, action.name());
        }
        throw new RegistryException(ErrorCode.UNSUPPORTED, "no route for " + abbreviate(path), null, 404);
    }

    /** The action names of every route and method, e.g. for a check that each has an access rule. */
    public Set<String> actions() {
        Set<String> names = new TreeSet<>();
        for (Route route : routes) {
            route.endpoints.values().forEach(action -> names.add(action.name()));
        }
        return names;
    }

    private static List<String> groupNames(String regex) {
        List<String> names = new ArrayList<>();
        Matcher m = GROUP_NAME.matcher(regex);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static String abbreviate(String path) {
        return path.length() <= 200 ? path : path.substring(0, 200) + "...";
    }

    /**
     * A matched endpoint, the named parts of the path, and the semantic action the audit log
     * records for it ({@code manifest.put}, {@code gc.pause} ...).
     */
    public record Match(Endpoint endpoint, Map<String, String> pathParams, String action) {
    }

    /** Adds methods to a route. */
    public static final class RouteBuilder {
        private final Route route;

        private RouteBuilder(Route route) {
            this.route = route;
        }

        /** Serves {@code method} with {@code endpoint}; {@code action} names what it does in the audit log. */
        public RouteBuilder on(HttpMethod method, String action, Endpoint endpoint) {
            route.endpoints.put(method, new Action(action, endpoint));
            return this;
        }
    }

    /** 405 with the methods the path does take, for the {@code Allow} header. */
    public static final class MethodNotAllowed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String allow;

        MethodNotAllowed(HttpMethod method, String allow) {
            super("method " + method + " not allowed", null, false, false);
            this.allow = allow;
        }

        public String allow() {
            return allow;
        }
    }

    private record Route(Pattern pattern, List<String> groups, String requiredText, Map<HttpMethod, Action> endpoints) {
    }

    private record Action(String name, Endpoint endpoint) {
    }
}
