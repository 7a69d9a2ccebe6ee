package io.stowage.server.auth;

import io.stowage.storage.testing.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

import static io.stowage.server.auth.Action.ADMIN;
import static io.stowage.server.auth.Action.AUDITOR;
import static io.stowage.server.auth.Action.DELETE;
import static io.stowage.server.auth.Action.PULL;
import static io.stowage.server.auth.Action.PUSH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessPolicyTest {
    private static final String POLICY = """
            groups:
              devs: [alice, bob]
              ops: [carol]
              sso-readers: []
            grants:
              - groups: [devs]
                repositories: ["team-a/*", "base/**"]
                actions: [pull, push]
              - users: [ci-bot]
                repositories: ["team-a/*"]
                actions: [push]
              - users: [carol]
                groups: [ops]
                actions: [admin]
              - users: [dave]
                repositories: ["**"]
                actions: [auditor, pull]
              - groups: [sso-readers]
                repositories: ["docs/**"]
                actions: [pull]
            anonymous:
              pull: ["public/**"]
            """;

    private static AccessPolicy policy(String yaml) throws AuthFileException {
        return AccessPolicy.parse("policy.yml", yaml);
    }

    private static String refusal(String yaml) {
        return assertThrows(AuthFileException.class, () -> policy(yaml)).getMessage();
    }

    @Test
    void groupGrantsApplyToTheirMembersOnTheirRepositoriesOnly() throws Exception {
        AccessPolicy policy = policy(POLICY);
        Principal alice = policy.principal("alice");
        assertEquals(Set.of("devs"), alice.groups());
        assertTrue(policy.allows(alice, "team-a/app", PULL));
        assertTrue(policy.allows(alice, "team-a/app", PUSH));
        assertFalse(policy.allows(alice, "team-a/app", DELETE), "not granted");
        assertTrue(policy.allows(alice, "base/library/alpine", PUSH));
        assertFalse(policy.allows(alice, "team-a/app/api", PULL), "* is one segment");
        assertFalse(policy.allows(alice, "team-b/app", PULL));
        assertFalse(policy.allows(policy.principal("mallory"), "team-a/app", PULL));
    }

    @Test
    void pushDoesNotImplyPull() throws Exception {
        AccessPolicy policy = policy(POLICY);
        Principal bot = policy.principal("ci-bot");
        assertTrue(policy.allows(bot, "team-a/app", PUSH));
        assertFalse(policy.allows(bot, "team-a/app", PULL));
        assertEquals(EnumSet.of(PUSH), policy.granted(bot, "team-a/app", EnumSet.of(PULL, PUSH)));
    }

    @Test
    void grantedKeepsOnlyTheRequestedActionsThatAreAllowed() throws Exception {
        AccessPolicy policy = policy(POLICY);
        Principal alice = policy.principal("alice");
        assertEquals(EnumSet.of(PULL, PUSH), policy.granted(alice, "team-a/app", EnumSet.of(PULL, PUSH, DELETE)));
        assertEquals(EnumSet.of(PULL), policy.granted(alice, "team-a/app", EnumSet.of(PULL)));
        assertEquals(Set.of(), policy.granted(alice, "secret/app", EnumSet.of(PULL, PUSH)));
        assertEquals(Set.of(), policy.granted(alice, "team-a/app", Set.of()));
    }

    @Test
    void anonymousCallersGetTheAnonymousGrantsOnlyAndUsersGetThemToo() throws Exception {
        AccessPolicy policy = policy(POLICY);
        assertTrue(policy.allows(Principal.ANONYMOUS, "public/alpine", PULL));
        assertTrue(policy.allows(Principal.ANONYMOUS, "public/tools/jq", PULL));
        assertFalse(policy.allows(Principal.ANONYMOUS, "public/alpine", PUSH));
        assertFalse(policy.allows(Principal.ANONYMOUS, "team-a/app", PULL));
        assertFalse(policy.hasRole(Principal.ANONYMOUS, AUDITOR));
        assertTrue(policy.allows(policy.principal("ci-bot"), "public/alpine", PULL), "signing in never takes access away");
    }

    @Test
    void adminIsRegistryWideAndIncludesAuditorButNoRepositoryAction() throws Exception {
        AccessPolicy policy = policy(POLICY);
        Principal carol = policy.principal("carol");
        assertTrue(policy.hasRole(carol, ADMIN));
        assertTrue(policy.hasRole(carol, AUDITOR));
        assertTrue(policy.allows(carol, "any/repo", ADMIN), "a role is allowed on every repository");
        assertFalse(policy.allows(carol, "team-a/app", PULL), "a role gives no repository action");

        Principal dave = policy.principal("dave");
        assertTrue(policy.hasRole(dave, AUDITOR));
        assertFalse(policy.hasRole(dave, ADMIN), "an auditor is not an admin");
        assertTrue(policy.allows(dave, "anything/at/all", PULL));
        assertFalse(policy.hasRole(policy.principal("alice"), AUDITOR));
        assertThrows(IllegalArgumentException.class, () -> policy.hasRole(dave, PULL));
    }

    @Test
    void groupsBroughtByThePrincipalCountWhenDeclared() throws Exception {
        AccessPolicy policy = policy(POLICY);
        Principal fromSso = Principal.user("erin", Set.of("sso-readers", "undeclared"));
        assertTrue(policy.allows(fromSso, "docs/handbook", PULL));
        assertFalse(policy.allows(Principal.user("erin"), "docs/handbook", PULL));
        assertTrue(policy.allows(Principal.user("frank", Set.of("devs")), "team-a/app", PUSH));
    }

    @Test
    void invalidRepositoryNamesAreAllowedNothing() throws Exception {
        AccessPolicy policy = policy(POLICY);
        Principal dave = policy.principal("dave");
        assertFalse(policy.allows(dave, "../etc", PULL));
        assertFalse(policy.allows(dave, "Upper/Case", PULL));
        assertFalse(policy.allows(dave, "", PULL));
        assertFalse(policy.allows(dave, null, PULL));
    }

    @Test
    void anEmptyPolicyAllowsNothing() throws Exception {
        for (AccessPolicy policy : new AccessPolicy[] {policy(""), policy("# nothing yet\n"), AccessPolicy.denyAll()}) {
            assertFalse(policy.allows(Principal.ANONYMOUS, "public/alpine", PULL));
            assertFalse(policy.allows(Principal.user("root"), "a", PULL));
            assertFalse(policy.hasRole(Principal.user("root"), ADMIN));
        }
    }

    @Test
    void unknownKeysAreRefusedWithTheirLine() {
        String message = refusal("""
                grants:
                  - users: [alice]
                    repos: ["a/*"]
                    actions: [pull]
                """);
        assertEquals("policy.yml line 3 (grants[0].repos): unknown key 'repos'; known keys here: actions, groups,"
                + " repositories, users", message);
        String block = refusal("""
                grants:
                  - users: [alice]
                    repositories: ["a"]
                    actions: [pull]
                    extra:
                      - x
                """);
        assertTrue(block.startsWith("policy.yml line 5 (grants[0].extra): unknown key 'extra'"), block);
        String top = refusal("grant:\n  - users: [alice]\n");
        assertTrue(top.startsWith("policy.yml line 1 (grant): unknown key 'grant'; known keys here: anonymous, grants, groups"), top);
    }

    @Test
    void unknownActionsAreRefusedWithTheirLine() {
        String message = refusal("""
                grants:
                  - users: [alice]
                    repositories: ["a/*"]
                    actions: [pull, pul]
                """);
        assertTrue(message.startsWith("policy.yml line 4 (grants[0].actions[1]): unknown action 'pul'; known actions:"
                + " pull, push, delete, admin, auditor"), message);
        String anonymous = refusal("anonymous:\n  pul: [\"public/**\"]\n");
        assertTrue(anonymous.startsWith("policy.yml line 2 (anonymous.pul): unknown key 'pul'"), anonymous);
        String role = refusal("anonymous:\n  admin: [\"**\"]\n");
        assertEquals("policy.yml line 2 (anonymous.admin): anonymous callers cannot have the role 'admin'", role);
    }

    @Test
    void rolesForSomeRepositoriesOnlyAreRefused() {
        String message = refusal("""
                grants:
                  - users: [alice]
                    repositories: ["team-a/*"]
                    actions: [pull, admin]
                """);
        assertTrue(message.contains("grants[0] gives a registry-wide role (admin, auditor) for some repositories only"), message);
        assertTrue(refusal("grants:\n  - users: [a]\n    repositories: [\"**\", \"x\"]\n    actions: [auditor]\n")
                .contains("registry-wide role"));
    }

    @Test
    void grantsThatCannotMeanAnythingAreRefused() {
        assertTrue(refusal("grants:\n  - users: [a]\n    actions: [pull]\n")
                .contains("grants[0] gives repository actions but lists no repositories"));
        assertTrue(refusal("grants:\n  - repositories: [\"a\"]\n    actions: [pull]\n")
                .contains("grants[0] names no users and no groups"));
        assertTrue(refusal("grants:\n  - users: [a]\n    repositories: [\"a\"]\n")
                .contains("grants[0] lists no actions"));
        assertTrue(refusal("grants:\n  - users: [a]\n    groups: [devs]\n    repositories: [\"a\"]\n    actions: [pull]\n")
                .contains("grants[0].groups names group 'devs', which is not declared under 'groups:'"));
    }

    @Test
    void badNamesPatternsAndShapesAreRefused() {
        assertTrue(refusal("grants:\n  - users: [\"al ice\"]\n    repositories: [\"a\"]\n    actions: [pull]\n")
                .contains("grants[0].users has 'al ice', which is not a valid user name"));
        assertTrue(refusal("grants:\n  - users: [alice]\n    repositories: [\"team-*\"]\n    actions: [pull]\n")
                .contains("grants[0].repositories: repository pattern 'team-*'"));
        assertTrue(refusal("anonymous:\n  pull: [\"Public/**\"]\n").contains("anonymous.pull: repository pattern 'Public/**'"));
        String shape = refusal("grants:\n  - users: alice\n");
        assertTrue(shape.contains("(grants[0].users): expected a list"), shape);
        assertTrue(refusal("groups: devs\n").contains("expected a mapping"), refusal("groups: devs\n"));
        String duplicate = refusal("groups:\n  devs: [a]\n  devs: [b]\n");
        assertTrue(duplicate.contains("line 3") && duplicate.contains("devs"), duplicate);
        assertTrue(refusal("grants: [\n").startsWith("policy.yml line"), refusal("grants: [\n"));
    }

    @Test
    void aWatchedPolicyFollowsItsFileAndKeepsTheLastGoodVersion() throws Exception {
        Path file = Files.writeString(dir.resolve("policy.yml"), "anonymous:\n  pull: [\"public/**\"]\n");
        ManualClock clock = new ManualClock();
        ReloadingFile<AccessPolicy> watched = AccessPolicy.watch(file, Duration.ofSeconds(5), clock);
        assertTrue(watched.current().allows(Principal.ANONYMOUS, "public/a", PULL));

        Files.writeString(file, "anonymous:\n  pull: [\"open/**\"]\n");
        clock.advance(Duration.ofSeconds(5));
        assertFalse(watched.current().allows(Principal.ANONYMOUS, "public/a", PULL));
        assertTrue(watched.current().allows(Principal.ANONYMOUS, "open/a", PULL));

        Files.writeString(file, "anonymous:\n  pull: [\"open/**\"]\n  pul: []\n");
        clock.advance(Duration.ofSeconds(5));
        assertTrue(watched.current().allows(Principal.ANONYMOUS, "open/a", PULL));
        assertTrue(watched.rejectedChange().orElseThrow().contains("unknown key 'pul'"));
    }

    @TempDir
    Path dir;
}
