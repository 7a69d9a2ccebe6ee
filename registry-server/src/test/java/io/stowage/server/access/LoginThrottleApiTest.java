package io.stowage.server.access;

import io.stowage.audit.AuditEntry;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.server.audit.AuditTrail;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Password guessing over HTTP: the sixth wrong password in a minute is not even checked, and all of it is audited. */
class LoginThrottleApiTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry(AuthFixture.mode("basic"));

    private final AuthClient client = new AuthClient(registry, false);

    @Test
    void sixWrongPasswordsGet429WithRetryAfterAndEachIsInTheAuditLog() throws Exception {
        List<HttpResponse<byte[]>> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            answers.add(client.send("GET", "/v2/team/app/tags/list", null, AuthClient.basic("puller", "guess-" + i)));
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(401, answers.get(i).statusCode(), "attempt " + (i + 1));
            assertEquals("UNAUTHORIZED", OciApi.errorCode(answers.get(i)));
        }
        HttpResponse<byte[]> blocked = answers.get(5);
        assertEquals(429, blocked.statusCode());
        assertEquals("TOOMANYREQUESTS", OciApi.errorCode(blocked));
        long retryAfter = Long.parseLong(blocked.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);

        // While blocked, even the right password is refused without a check.
        HttpResponse<byte[]> right = client.send("GET", "/v2/team/app/tags/list", null,
                AuthClient.basic("puller", AuthFixture.password("puller")));
        assertEquals(429, right.statusCode());
        // Another user at the same address is blocked too: the address failed five times.
        assertEquals(429, client.send("GET", "/v2/team/app/tags/list", null,
                AuthClient.basic("pusher", AuthFixture.password("pusher"))).statusCode());

        AuditTrail trail = new AuditTrail(registry.dataDir());
        for (HttpResponse<byte[]> answer : answers) {
            AuditEntry entry = Audit.await(trail, answer.headers().firstValue("X-Request-Id").orElseThrow());
            assertEquals(answer.statusCode(), entry.status());
            assertEquals("puller", entry.actor());
            assertEquals("tag.list", entry.action());
            assertEquals("team/app", entry.repository());
            assertTrue(entry.detail() != null && entry.detail().containsKey("authProblem"), String.valueOf(entry.detail()));
        }
    }
}
