package io.stowage.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a command signs in to a registry with authentication on, as the registry asks for it: the
 * user's password as {@code Basic} credentials, and, when a 401 names a token endpoint
 * ({@code Bearer realm=...}), a token fetched there with that password. The token is kept for the
 * next calls of the same command. Not thread-safe: one command, one thread.
 */
final class AdminSignIn {
    private static final Pattern PARAMETER = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String basic;
    private String bearer;

    AdminSignIn(String user, char[] password) {
        String credentials = user + ":" + new String(password);
        this.basic = "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    /** The Authorization header to send now. */
    String authorization() {
        return bearer != null ? "Bearer " + bearer : basic;
    }

    /**
     * After a 401 with {@code challenge}: fetches a token when it is a Bearer challenge the current
     * credentials have not answered yet. Returns whether to try the call again.
     */
    boolean answer(String challenge, HttpClient http) throws IOException, InterruptedException {
        if (challenge == null || !challenge.regionMatches(true, 0, "Bearer ", 0, 7) || bearer != null) {
            return false;
        }
        Map<String, String> parameters = new HashMap<>();
        Matcher matcher = PARAMETER.matcher(challenge);
        while (matcher.find()) {
            parameters.put(matcher.group(1), matcher.group(2).replaceAll("\\\\(.)", "$1"));
        }
        String realm = parameters.get("realm");
        if (realm == null) {
            return false;
        }
        StringBuilder uri = new StringBuilder(realm);
        char separator = realm.contains("?") ? '&' : '?';
        for (String name : new String[]{"service", "scope"}) {
            if (parameters.containsKey(name)) {
                uri.append(separator).append(name).append('=')
                        .append(URLEncoder.encode(parameters.get(name), StandardCharsets.UTF_8));
                separator = '&';
            }
        }
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(uri.toString()))
                .timeout(Duration.ofSeconds(30)).header("Authorization", basic).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            return false;
        }
        JsonNode token = JSON.readTree(response.body()).path("token");
        if (!token.isTextual()) {
            return false;
        }
        bearer = token.asText();
        return true;
    }
}
