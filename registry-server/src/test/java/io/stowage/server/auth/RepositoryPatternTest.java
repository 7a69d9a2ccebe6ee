package io.stowage.server.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RepositoryPatternTest {

    private static boolean matches(String pattern, String repository) {
        return RepositoryPattern.parse(pattern).matches(repository);
    }

    @Test
    void aLiteralMatchesOnlyItself() {
        assertTrue(matches("team-a/app", "team-a/app"));
        assertFalse(matches("team-a/app", "team-a/app2"));
        assertFalse(matches("team-a/app", "team-a/app/api"));
        assertFalse(matches("team-a/app", "team-a"));
    }

    @Test
    void oneStarIsExactlyOneSegment() {
        assertTrue(matches("team-a/*", "team-a/app"));
        assertFalse(matches("team-a/*", "team-a"));
        assertFalse(matches("team-a/*", "team-a/app/api"));
        assertFalse(matches("team-a/*", "team-b/app"));
        assertTrue(matches("*/app", "team-b/app"));
        assertFalse(matches("*", "team-a/app"));
        assertTrue(matches("*", "alpine"));
    }

    @Test
    void twoStarsAreAnyNumberOfSegmentsButAtTheEndAtLeastOne() {
        assertTrue(matches("base/**", "base/alpine"));
        assertTrue(matches("base/**", "base/library/alpine"));
        assertFalse(matches("base/**", "base"), "base itself is another repository");
        assertFalse(matches("base/**", "baseline/alpine"));
        assertTrue(matches("**", "alpine"));
        assertTrue(matches("**", "a/b/c/d"));
        assertTrue(matches("a/**/z", "a/z"));
        assertTrue(matches("a/**/z", "a/b/c/z"));
        assertFalse(matches("a/**/z", "a/b/c/y"));
        assertTrue(matches("**/cache", "cache"));
        assertTrue(matches("**/cache", "team/build/cache"));
        assertTrue(matches("a/**/*/z", "a/b/z"));
        assertFalse(matches("a/**/*/z", "a/z"));
    }

    @Test
    void manyDoubleStarsStayFast() {
        RepositoryPattern pattern = RepositoryPattern.parse("**/a/**/a/**/a/**/a/**/b");
        String name = "a/".repeat(120) + "c";
        long start = System.nanoTime();
        assertFalse(pattern.matches(name));
        assertTrue(System.nanoTime() - start < 1_000_000_000L);
    }

    @Test
    void badPatternsAreRefusedSayingWhy() {
        assertEquals("a repository pattern is empty", refusal(""));
        assertTrue(refusal("team-*").contains("'*' and '**' stand only for whole segments"), refusal("team-*"));
        assertTrue(refusal("a/***").contains("'***' is not allowed"));
        assertTrue(refusal("Team/app").contains("'Team' is not a valid repository name part"));
        assertTrue(refusal("/team").contains("empty segment"));
        assertTrue(refusal("team/").contains("empty segment"));
        assertTrue(refusal("a//b").contains("empty segment"));
        assertTrue(refusal("a/**/**").contains("repeats '**/**'"));
        assertTrue(refusal("a/b c").contains("'b c' is not a valid"));
    }

    @Test
    void knowsThePatternOfEverything() {
        assertTrue(RepositoryPattern.parse("**").matchesEverything());
        assertFalse(RepositoryPattern.parse("a/**").matchesEverything());
        assertEquals(RepositoryPattern.parse("a/*"), RepositoryPattern.parse("a/*"));
        assertEquals("a/*", RepositoryPattern.parse("a/*").toString());
    }

    private static String refusal(String pattern) {
        return assertThrows(IllegalArgumentException.class, () -> RepositoryPattern.parse(pattern)).getMessage();
    }
}
