package io.stowage.server.access;

import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.storage.oci.Digest;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Requests to a registry with authentication on, as one of the {@link AuthFixture} users: with
 * {@code Basic} credentials, or with a token fetched from {@code /auth/token} for the scopes the
 * request needs, as a Docker client does.
 */
final class AuthClient {
    private final TestRegistry registry;
    private final OciApi api;
    private final boolean tokens;

    AuthClient(TestRegistry registry, boolean tokens) {
        this.registry = registry;
        this.api = new OciApi(registry);
        this.tokens = tokens;
    }

    /** The Authorization header of {@code user} for a request needing {@code scopes}; null for anonymous without tokens. */
    String authorization(String user, String... scopes) throws IOException, InterruptedException {
        if (!tokens) {
            return AuthFixture.ANONYMOUS.equals(user) ? null : basic(user, AuthFixture.password(user));
        }
        return "Bearer " + token(user, scopes);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A token from the token endpoint, anonymous for {@link AuthFixture#ANONYMOUS}. */
    String token(String user, String... scopes) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = tokenResponse(user, scopes);
        assertEquals(200, response.statusCode(), () -> "token for " + user + ": " + text(response));
        return OciApi.json(response).path("token").asText();
    }

    HttpResponse<byte[]> tokenResponse(String user, String... scopes) throws IOException, InterruptedException {
        StringBuilder path = new StringBuilder("/auth/token?service=" + AuthFixture.SERVICE);
        for (String scope : scopes) {
            path.append("&scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        }
        String authorization = AuthFixture.ANONYMOUS.equals(user) ? null : basic(user, AuthFixture.password(user));
        return send("GET", path.toString(), null, authorization);
    }

    /** A request with {@code authorization} (none when null) and more header pairs. */
    HttpResponse<byte[]> send(String method, String path, byte[] body, String authorization, String... headers)
            throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of(headers));
        if (authorization != null) {
            all.add("Authorization");
            all.add(authorization);
        }
        return api.send(method, path, body, all.toArray(String[]::new));
    }

    /** Pushes a small image (config, one layer, manifest) under {@code tag} as {@code user}; returns the manifest digest. */
    Digest pushImage(String user, String repository, String tag, long seed) throws IOException, InterruptedException {
        String authorization = authorization(user, "repository:" + repository + ":pull,push");
        byte[] config = ("{\"os\":\"linux\",\"seed\":" + seed + "}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = OciApi.randomBytes(500, seed);
        for (byte[] blob : List.of(config, layer)) {
            HttpResponse<byte[]> pushed = send("POST", "/v2/" + repository + "/blobs/uploads/?digest=" + Digest.sha256(blob),
                    blob, authorization, "Content-Type", "application/octet-stream");
            assertEquals(201, pushed.statusCode(), () -> text(pushed));
        }
        byte[] manifest = OciApi.imageManifest(config, List.of(layer), null, 0);
        HttpResponse<byte[]> put = send("PUT", "/v2/" + repository + "/manifests/" + tag, manifest, authorization,
                "Content-Type", OciApi.OCI_MANIFEST);
        assertEquals(201, put.statusCode(), () -> text(put));
        return Digest.sha256(manifest);
    }

    TestRegistry registry() {
        return registry;
    }

    static String text(HttpResponse<byte[]> response) {
        return response.statusCode() + " " + response.headers().firstValue("WWW-Authenticate").orElse("") + " "
                + new String(response.body(), StandardCharsets.UTF_8);
    }
}
