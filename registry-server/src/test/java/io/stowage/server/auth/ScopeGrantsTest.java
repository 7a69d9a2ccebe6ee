package io.stowage.server.auth;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ScopeGrantsTest {
    private static final String POLICY = """
            groups:
              devs: [alice]
              ops: [carol]
            grants:
              - groups: [devs]
                repositories: ["team-a/*"]
                actions: [pull, push]
              - users: [bob]
                repositories: ["team-a/*"]
                actions: [pull, push, delete]
              - groups: [ops]
                actions: [auditor]
            anonymous:
              pull: ["public/**"]
            """;

    private static List<String> grant(String user, String... scopes) throws Exception {
        AccessPolicy policy = AccessPolicy.parse("policy.yml", POLICY);
        Principal principal = user == null ? Principal.ANONYMOUS : policy.principal(user);
        return ScopeGrants.grant(policy, principal, ResourceScope.parseAll(List.of(scopes)))
                .stream().map(ResourceScope::toString).toList();
    }

    @Test
    void onlyGrantedActionsAreGiven() throws Exception {
        assertEquals(List.of("repository:team-a/app:pull,push"), grant("alice", "repository:team-a/app:pull,push,delete"));
        assertEquals(List.of("repository:team-a/app:pull"), grant("alice", "repository:team-a/app:pull"));
        assertEquals(List.of(), grant("alice", "repository:team-b/app:pull"));
        assertEquals(List.of(), grant("mallory", "repository:team-a/app:pull"));
    }

    @Test
    void starAsksForEveryRepositoryActionAndUnknownActionsAreIgnored() throws Exception {
        assertEquals(List.of("repository:team-a/app:pull,push,delete"), grant("bob", "repository:team-a/app:*"));
        assertEquals(List.of("repository:team-a/app:pull,push"), grant("alice", "repository:team-a/app:*"));
        assertEquals(List.of("repository:team-a/app:pull"), grant("alice", "repository:team-a/app:pull,fly"));
        assertEquals(List.of(), grant("alice", "repository:team-a/app:admin"), "a role is not a repository action");
    }

    @Test
    void theSameRepositoryAskedTwiceGetsOneEntry() throws Exception {
        assertEquals(List.of("repository:team-a/app:pull,push", "repository:team-a/api:pull"),
                grant("alice", "repository:team-a/app:pull", "repository:team-a/api:pull repository:team-a/app:push"));
    }

    @Test
    void theRepositoryClassIsKept() throws Exception {
        assertEquals(List.of("repository(plugin):team-a/app:pull"), grant("alice", "repository(plugin):team-a/app:pull"));
    }

    @Test
    void theCatalogIsForAuditorsOnly() throws Exception {
        assertEquals(List.of("registry:catalog:*"), grant("carol", "registry:catalog:*"));
        assertEquals(List.of(), grant("alice", "registry:catalog:*"));
        assertEquals(List.of(), grant(null, "registry:catalog:*"));
        assertEquals(List.of(), grant("carol", "registry:catalog:list"));
        assertEquals(List.of(), grant("carol", "registry:other:*"));
        assertEquals(List.of(), grant("carol", "plugin:x:*"), "unknown resource types get nothing");
    }

    @Test
    void anonymousCallersGetTheAnonymousGrants() throws Exception {
        assertEquals(List.of("repository:public/alpine:pull"), grant(null, "repository:public/alpine:pull,push"));
        assertEquals(List.of(), grant(null, "repository:team-a/app:pull"));
    }
}
