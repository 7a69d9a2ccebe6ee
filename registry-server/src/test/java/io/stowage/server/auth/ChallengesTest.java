package io.stowage.server.auth;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChallengesTest {

    @Test
    void bearerChallengeAsTheTokenSpecShowsIt() throws Exception {
        assertEquals("Bearer realm=\"https://auth.example.com/token\",service=\"registry.example.com\","
                        + "scope=\"repository:samalba/my-app:pull,push\"",
                Challenges.bearer("https://auth.example.com/token", "registry.example.com",
                        List.of(ResourceScope.parse("repository:samalba/my-app:pull,push"))));
    }

    @Test
    void severalScopesAreSpaceSeparatedAndNoneLeavesTheParameterOut() throws Exception {
        assertEquals("Bearer realm=\"r\",service=\"s\",scope=\"repository:a:pull registry:catalog:*\"",
                Challenges.bearer("r", "s", ResourceScope.parseAll(List.of("repository:a:pull", "registry:catalog:*"))));
        assertEquals("Bearer realm=\"r\",service=\"s\"", Challenges.bearer("r", "s", List.of()));
        assertEquals("Bearer realm=\"r\"", Challenges.bearer("r", null, List.of()));
    }

    @Test
    void anErrorCanBeAdded() {
        assertEquals("Bearer realm=\"r\",service=\"s\",error=\"invalid_token\"",
                Challenges.bearer("r", "s", List.of(), Challenges.INVALID_TOKEN));
    }

    @Test
    void basicChallenge() {
        assertEquals("Basic realm=\"Stowage registry\"", Challenges.basic("Stowage registry"));
    }

    @Test
    void quotesAndBackslashesAreEscapedAndControlCharactersRefused() {
        assertEquals("Basic realm=\"say \\\"hi\\\" \\\\o/\"", Challenges.basic("say \"hi\" \\o/"));
        assertThrows(IllegalArgumentException.class, () -> Challenges.basic("evil\r\nSet-Cookie: x=1"));
        assertThrows(IllegalArgumentException.class, () -> Challenges.bearer("r", "s\n", List.of()));
        assertThrows(IllegalArgumentException.class, () -> Challenges.basic(null));
    }
}
