package io.stowage.server.auth;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResourceScopeTest {

    @Test
    void parsesARepositoryScope() throws Exception {
        ResourceScope scope = ResourceScope.parse("repository:team-a/app:pull,push");
        assertEquals("repository", scope.type());
        assertNull(scope.resourceClass());
        assertEquals("team-a/app", scope.name());
        assertEquals(List.of("pull", "push"), scope.actions());
        assertTrue(scope.isRepository());
        assertEquals("repository:team-a/app:pull,push", scope.toString());
    }

    @Test
    void parsesTheClassFormAndTheCatalog() throws Exception {
        ResourceScope plugin = ResourceScope.parse("repository(plugin):team-a/app:pull");
        assertEquals("plugin", plugin.resourceClass());
        assertTrue(plugin.isRepository());
        assertEquals("repository(plugin):team-a/app:pull", plugin.toString());

        ResourceScope catalog = ResourceScope.parse("registry:catalog:*");
        assertTrue(catalog.isCatalog());
        assertEquals(List.of("*"), catalog.actions());
    }

    @Test
    void duplicateActionsCollapse() throws Exception {
        assertEquals(List.of("pull", "push"), ResourceScope.parse("repository:a:pull,push,pull").actions());
    }

    @Test
    void parsesSeveralScopesInOneParameterAndSeveralParameters() throws Exception {
        List<ResourceScope> scopes = ResourceScope.parseAll(List.of("repository:a:pull repository:b:push", "registry:catalog:*"));
        assertEquals(List.of("repository:a:pull", "repository:b:push", "registry:catalog:*"),
                scopes.stream().map(ResourceScope::toString).toList());
        assertEquals(List.of(), ResourceScope.parseAll(List.of("", " ")));
    }

    @Test
    void malformedScopesAreRefusedSayingWhy() {
        assertEquals("empty scope", refusal(""));
        assertEquals("invalid scope 'repository:pull': expected type:name:actions", refusal("repository:pull"));
        assertEquals("invalid scope 'repository': expected type:name:actions", refusal("repository"));
        assertEquals("invalid scope 'repository:a:': no actions", refusal("repository:a:"));
        assertEquals("invalid scope 'repository::pull': empty resource name", refusal("repository::pull"));
        assertEquals("invalid scope 'repository:a:pull,,push': an empty action", refusal("repository:a:pull,,push"));
        assertEquals("invalid scope 'repository:a:pull,': an empty action", refusal("repository:a:pull,"));
        assertTrue(refusal("repository:a:PULL").endsWith("actions are lower-case words or *"));
        assertTrue(refusal("Repository:a:pull").endsWith("a resource type is lower-case letters and digits"));
        assertTrue(refusal("repository(:a:pull").endsWith("written type(class)"));
        assertTrue(refusal("(x):a:pull").endsWith("written type(class)"));
        assertTrue(refusal("repository(Plug):a:pull").endsWith("lower-case letters and digits"));
        assertTrue(refusal("repository:Team/App:pull").contains("not a valid repository name"));
        assertTrue(refusal("repository:localhost:5000/app:pull").contains("not a valid repository name"),
                "a host:port prefix is not a name of this registry");
        assertTrue(refusal("repository:a/../b:pull").contains("not a valid repository name"));
        assertTrue(refusal("registry:cat alog:*").contains("letters, digits"));
        assertTrue(refusal("repository:a:pu\nll").endsWith("actions are lower-case words or *"));
        assertTrue(refusal("x".repeat(2000)).startsWith("scope longer than 1024"));
    }

    @Test
    void messagesQuoteTheScopeSafely() {
        String message = refusal("repository\u0000:" + "a".repeat(200) + ":pull");
        assertFalse(message.contains("\u0000"), message);
        assertTrue(message.contains("..."), message);
    }

    @Test
    void claimsRoundTripAndMalformedClaimsAreRefused() throws Exception {
        ResourceScope plugin = ResourceScope.parse("repository(plugin):team-a/app:pull");
        assertEquals(Map.of("type", "repository", "class", "plugin", "name", "team-a/app", "actions", List.of("pull")),
                plugin.toClaim());
        assertEquals(plugin, ResourceScope.fromClaim(plugin.toClaim()));
        assertEquals(List.of(), ResourceScope.fromClaim(Map.of("type", "repository", "name", "a")).actions());

        assertThrows(InvalidScopeException.class, () -> ResourceScope.fromClaim("repository:a:pull"));
        assertThrows(InvalidScopeException.class, () -> ResourceScope.fromClaim(Map.of("name", "a")));
        assertThrows(InvalidScopeException.class, () -> ResourceScope.fromClaim(Map.of("type", "repository")));
        assertThrows(InvalidScopeException.class, () -> ResourceScope.fromClaim(Map.of("type", 7, "name", "a")));
        assertThrows(InvalidScopeException.class,
                () -> ResourceScope.fromClaim(Map.of("type", "repository", "name", "a", "actions", "pull")));
        assertThrows(InvalidScopeException.class,
                () -> ResourceScope.fromClaim(Map.of("type", "repository", "name", "a", "actions", List.of(1))));
        assertThrows(InvalidScopeException.class,
                () -> ResourceScope.fromClaim(Map.of("type", "repository", "name", "A B", "actions", List.of())));
        assertThrows(InvalidScopeException.class,
                () -> ResourceScope.fromClaim(Map.of("type", "repository", "name", "a", "extra", 1)));
    }

    private static String refusal(String scope) {
        return assertThrows(InvalidScopeException.class, () -> ResourceScope.parse(scope)).getMessage();
    }
}
