package io.stowage.server.access;

import com.fasterxml.jackson.databind.JsonNode;
import io.stowage.audit.AuditEntry;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.server.audit.AuditTrail;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /auth/token} and bearer tokens on the API, with {@code auth.mode: token}. */
class TokenEndpointTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry(AuthFixture.mode("token"));

    private final AuthClient client = new AuthClient(registry, true);

    @BeforeAll
    static void seed() throws Exception {
        new AuthClient(registry, true).pushImage("seeder", "team/app", "v1", 41);
    }

    @Test
    void aTokenCarriesOnlyWhatThePolicyGrants() throws Exception {
        HttpResponse<byte[]> response = client.tokenResponse("puller",
                "repository:team/app:pull,push,delete", "repository:other/secret:pull", "registry:catalog:*");
        assertEquals(200, response.statusCode(), () -> AuthClient.text(response));
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(""));
        JsonNode body = OciApi.json(response);
        assertEquals(body.path("token").asText(), body.path("access_token").asText());
        assertEquals(300, body.path("expires_in").asInt());
        Instant.parse(body.path("issued_at").asText());
        JsonNode claims = claims(body.path("token").asText());
        assertEquals("puller", claims.path("sub").asText());
        assertEquals(AuthFixture.SERVICE, claims.path("aud").isArray() ? claims.path("aud").path(0).asText()
                : claims.path("aud").asText());
        JsonNode access = claims.path("access");
        assertEquals(1, access.size(), access.toString());
        assertEquals("team/app", access.path(0).path("name").asText());
        assertEquals("[\"pull\"]", access.path(0).path("actions").toString());
    }

    @Test
    void anonymousCallersGetTheAnonymousGrantsOnly() throws Exception {
        HttpResponse<byte[]> response = client.tokenResponse(AuthFixture.ANONYMOUS,
                "repository:public/base:pull,push", "repository:team/app:pull");
        assertEquals(200, response.statusCode());
        JsonNode claims = claims(OciApi.json(response).path("token").asText());
        assertEquals("", claims.path("sub").asText());
        assertEquals(1, claims.path("access").size());
        assertEquals("public/base", claims.path("access").path(0).path("name").asText());
        assertEquals("[\"pull\"]", claims.path("access").path(0).path("actions").toString());
    }

    @Test
    void badRequestsAreClear400sAndBadPasswords401() throws Exception {
        HttpResponse<byte[]> service = client.send("GET", "/auth/token?service=elsewhere", null, null);
        assertEquals(400, service.statusCode());
        assertTrue(text(service).contains("unknown service"), text(service));

        HttpResponse<byte[]> scope = client.send("GET", "/auth/token?service=" + AuthFixture.SERVICE
                + "&scope=repository:Team/App:pull", null, null);
        assertEquals(400, scope.statusCode());
        assertTrue(text(scope).contains("invalid scope"), text(scope));

        HttpResponse<byte[]> account = client.send("GET", "/auth/token?account=pusher", null,
                AuthClient.basic("puller", AuthFixture.password("puller")));
        assertEquals(400, account.statusCode());

        HttpResponse<byte[]> wrong = client.send("GET", "/auth/token?service=" + AuthFixture.SERVICE, null,
                AuthClient.basic("puller", "nope"));
        assertEquals(401, wrong.statusCode());
        assertEquals("UNAUTHORIZED", OciApi.errorCode(wrong));
        assertEquals("Basic realm=\"Stowage registry\"", wrong.headers().firstValue("WWW-Authenticate").orElse(""));
    }

    @Test
    void theOAuth2PasswordFormGivesATokenToo() throws Exception {
        String form = "grant_type=password&client_id=test&service=" + AuthFixture.SERVICE
                + "&scope=repository%3Ateam%2Fapp%3Apull&username=puller&password=" + AuthFixture.password("puller");
        HttpResponse<byte[]> response = client.send("POST", "/auth/token", form.getBytes(StandardCharsets.UTF_8), null,
                "Content-Type", "application/x-www-form-urlencoded");
        assertEquals(200, response.statusCode(), () -> AuthClient.text(response));
        JsonNode body = OciApi.json(response);
        assertEquals("repository:team/app:pull", body.path("scope").asText());
        assertEquals(200, client.send("GET", "/v2/team/app/manifests/v1", null,
                "Bearer " + body.path("access_token").asText()).statusCode());

        HttpResponse<byte[]> wrong = client.send("POST", "/auth/token",
                "grant_type=password&username=puller&password=x".getBytes(StandardCharsets.UTF_8), null,
                "Content-Type", "application/x-www-form-urlencoded");
        assertEquals(401, wrong.statusCode());
        HttpResponse<byte[]> refresh = client.send("POST", "/auth/token",
                "grant_type=refresh_token&refresh_token=x".getBytes(StandardCharsets.UTF_8), null,
                "Content-Type", "application/x-www-form-urlencoded");
        assertEquals(400, refresh.statusCode());
        assertEquals(400, client.send("POST", "/auth/token", "{}".getBytes(StandardCharsets.UTF_8), null,
                "Content-Type", "application/json").statusCode());
    }

    @Test
    void challengesSendClientsToTheTokenEndpointForTheScopeTheyNeed() throws Exception {
        int port = registry.registry().address().getPort();
        String realm = "Bearer realm=\"http://127.0.0.1:" + port + "/auth/token\",service=\"" + AuthFixture.SERVICE + "\"";

        HttpResponse<byte[]> ping = client.send("GET", "/v2/", null, null);
        assertEquals(401, ping.statusCode());
        assertEquals(realm, ping.headers().firstValue("WWW-Authenticate").orElse(""));

        HttpResponse<byte[]> pull = client.send("GET", "/v2/team/app/manifests/v1", null, null);
        assertEquals(realm + ",scope=\"repository:team/app:pull\"", pull.headers().firstValue("WWW-Authenticate").orElse(""));

        HttpResponse<byte[]> garbage = client.send("GET", "/v2/team/app/manifests/v1", null, "Bearer not.a.token");
        assertEquals(401, garbage.statusCode());
        assertEquals(realm + ",scope=\"repository:team/app:pull\",error=\"invalid_token\"",
                garbage.headers().firstValue("WWW-Authenticate").orElse(""));

        HttpResponse<byte[]> password = client.send("GET", "/v2/team/app/manifests/v1", null,
                AuthClient.basic("puller", AuthFixture.password("puller")));
        assertEquals(401, password.statusCode(), "in token mode only the token endpoint takes a password");
        assertTrue(password.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer "));
    }

    @Test
    void aTokenAskedForLessThanThePolicyGivesGetsInsufficientScopeAndOneBeyondItDenied() throws Exception {
        String pullOnly = "Bearer " + client.token("pusher", "repository:team/app:pull");
        HttpResponse<byte[]> more = client.send("POST", "/v2/team/app/blobs/uploads/", null, pullOnly);
        assertEquals(401, more.statusCode(), "the policy would give push: fetch a token that has it");
        assertTrue(more.headers().firstValue("WWW-Authenticate").orElse("")
                .endsWith(",scope=\"repository:team/app:push\",error=\"insufficient_scope\""));

        String puller = "Bearer " + client.token("puller", "repository:team/app:pull,push");
        HttpResponse<byte[]> never = client.send("POST", "/v2/team/app/blobs/uploads/", null, puller);
        assertEquals(403, never.statusCode(), "no token would let the puller push");
        assertEquals("DENIED", OciApi.errorCode(never));
    }

    @Test
    void tokenRequestsAreAuditedAsAuthTokenWithTheUser() throws Exception {
        HttpResponse<byte[]> response = client.tokenResponse("auditor");
        assertEquals(200, response.statusCode());
        AuditEntry entry = Audit.await(new AuditTrail(registry.dataDir()),
                response.headers().firstValue("X-Request-Id").orElseThrow());
        assertEquals("auth.token", entry.action());
        assertEquals("auditor", entry.actor());
        assertFalse(entry.path().contains("pw"), "no credentials in the record");
    }

    private static JsonNode claims(String token) throws Exception {
        String[] parts = token.split("\\.");
        return OciApi.JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
