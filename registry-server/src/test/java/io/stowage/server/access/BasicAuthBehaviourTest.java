package io.stowage.server.access;

import io.stowage.audit.AuditEntry;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.server.audit.AuditTrail;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Behaviour of {@code auth.mode: basic} beyond the matrix: the manifest cache's network-thread
 * answer is only for callers known to be allowed, mounts need pull on the source, the catalog is
 * filtered page by page, and the audit log names who did what and who was refused.
 */
class BasicAuthBehaviourTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry(AuthFixture.mode("basic"));

    private final AuthClient client = new AuthClient(registry, false);

    @BeforeAll
    static void seed() throws Exception {
        AuthClient seeder = new AuthClient(registry, false);
        seeder.pushImage("seeder", "team/app", "v1", 11);
        seeder.pushImage("seeder", "team/other", "v1", 12);
        seeder.pushImage("seeder", "other/secret", "v1", 13);
        seeder.pushImage("seeder", "public/base", "v1", 14);
    }

    @Test
    void aCachedManifestIsNotServedToCallersWhoMayNotPullIt() throws Exception {
        String puller = AuthClient.basic("puller", AuthFixture.password("puller"));
        // Twice: the first read fills the manifest cache, the second may come from it.
        for (int i = 0; i < 2; i++) {
            assertEquals(200, client.send("GET", "/v2/team/app/manifests/v1", null, puller).statusCode());
        }
        for (String method : List.of("GET", "HEAD")) {
            HttpResponse<byte[]> anonymous = client.send(method, "/v2/team/app/manifests/v1", null, null);
            assertEquals(401, anonymous.statusCode(), method + " without credentials");
            assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm="));
            assertEquals(403, client.send(method, "/v2/team/app/manifests/v1", null,
                    AuthClient.basic("nobody", AuthFixture.password("nobody"))).statusCode(), method + " by nobody");
            assertEquals(401, client.send(method, "/v2/team/app/manifests/v1", null,
                    AuthClient.basic("puller", "not-the-password")).statusCode(), method + " with a wrong password");
        }
        assertEquals(200, client.send("GET", "/v2/team/app/manifests/v1", null, puller).statusCode(),
                "the puller still reads it");
    }

    @Test
    void anonymousCallersReadWhatTheAnonymousGrantsAllowAndNothingElse() throws Exception {
        assertEquals(200, client.send("GET", "/v2/public/base/manifests/v1", null, null).statusCode());
        assertEquals(200, client.send("GET", "/v2/public/base/tags/list", null, null).statusCode());
        HttpResponse<byte[]> push = client.send("POST", "/v2/public/base/blobs/uploads/", null, null);
        assertEquals(401, push.statusCode());
        assertEquals(401, client.send("GET", "/v2/", null, null).statusCode(), "docker login needs a 401 here");
        HttpResponse<byte[]> invalidName = client.send("GET", "/v2/Public/Base/manifests/v1", null, null);
        assertEquals(400, invalidName.statusCode());
        assertEquals("NAME_INVALID", OciApi.errorCode(invalidName));
    }

    /**
     * Podman, skopeo and buildah send {@code Basic Og==} (empty user and password) when they have no
     * credentials: that is an anonymous caller, not a failed login, and must never trip the throttle.
     */
    @Test
    void emptyBasicCredentialsAreAnonymousNotAFailedLogin() throws Exception {
        String empty = "Basic " + java.util.Base64.getEncoder().encodeToString(":".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 8; i++) {
            assertEquals(200, client.send("GET", "/v2/public/base/manifests/v1", null, empty).statusCode(),
                    "anonymous pull #" + i);
            HttpResponse<byte[]> refused = client.send("GET", "/v2/team/app/manifests/v1", null, empty);
            assertEquals(401, refused.statusCode(), "a private repository still asks for credentials #" + i);
        }
        assertEquals(200, client.send("GET", "/v2/team/app/manifests/v1", null,
                AuthClient.basic("puller", AuthFixture.password("puller"))).statusCode(), "nobody was throttled");
    }

    @Test
    void aMountFromARepositoryTheCallerMayNotPullIsAPlainUpload() throws Exception {
        byte[] blob = OciApi.randomBytes(700, 20);
        Digest digest = Digest.sha256(blob);
        String seeder = AuthClient.basic("seeder", AuthFixture.password("seeder"));
        for (String repository : List.of("other/secret", "team/other")) {
            assertEquals(201, client.send("POST", "/v2/" + repository + "/blobs/uploads/?digest=" + digest, blob, seeder,
                    "Content-Type", "application/octet-stream").statusCode());
        }
        String pusher = AuthClient.basic("pusher", AuthFixture.password("pusher"));

        HttpResponse<byte[]> hidden = client.send("POST",
                "/v2/team/app/blobs/uploads/?mount=" + digest + "&from=other/secret", null, pusher);
        assertEquals(202, hidden.statusCode(), "as if other/secret had no such blob");
        assertTrue(hidden.headers().firstValue("Location").orElse("").startsWith("/v2/team/app/blobs/uploads/"));
        assertEquals(404, client.send("HEAD", "/v2/team/app/blobs/" + digest, null, pusher).statusCode(),
                "nothing was mounted");

        HttpResponse<byte[]> mounted = client.send("POST",
                "/v2/team/app/blobs/uploads/?mount=" + digest + "&from=team/other", null, pusher);
        assertEquals(201, mounted.statusCode());
        assertEquals(200, client.send("HEAD", "/v2/team/app/blobs/" + digest, null, pusher).statusCode());
    }

    @Test
    void theCatalogIsFilteredPageByPage() throws Exception {
        String puller = AuthClient.basic("puller", AuthFixture.password("puller"));
        List<String> seen = new ArrayList<>();
        String path = "/v2/_catalog?n=1";
        for (int pages = 0; path != null && pages < 20; pages++) {
            HttpResponse<byte[]> page = client.send("GET", path, null, puller);
            assertEquals(200, page.statusCode());
            OciApi.json(page).path("repositories").forEach(name -> seen.add(name.asText()));
            path = nextLink(page);
        }
        // public/base through the anonymous grant, team/* through the puller's own.
        assertEquals(List.of("public/base", "team/app", "team/other"), seen);

        HttpResponse<byte[]> all = client.send("GET", "/v2/_catalog", null,
                AuthClient.basic("auditor", AuthFixture.password("auditor")));
        List<String> everything = new ArrayList<>();
        OciApi.json(all).path("repositories").forEach(name -> everything.add(name.asText()));
        assertTrue(everything.contains("other/secret"), "an auditor sees the whole catalog: " + everything);
    }

    @Test
    void theAuditLogNamesTheUserOfAChangeAndTheNameARefusedCallerTried() throws Exception {
        String pusher = AuthClient.basic("pusher", AuthFixture.password("pusher"));
        HttpResponse<byte[]> pushed = client.send("DELETE", "/v2/team/app/manifests/v1", null, pusher);
        assertEquals(403, pushed.statusCode(), "pusher may not delete");
        client.pushImage("pusher", "team/app", "audited", 30);
        HttpResponse<byte[]> wrong = client.send("GET", "/v2/team/other/tags/list", null,
                AuthClient.basic("deleter", "guess"));
        assertEquals(401, wrong.statusCode());

        AuditTrail trail = new AuditTrail(registry.dataDir());
        String deniedId = pushed.headers().firstValue("X-Request-Id").orElseThrow();
        String wrongId = wrong.headers().firstValue("X-Request-Id").orElseThrow();
        AuditEntry denied = Audit.await(trail, deniedId);
        assertEquals("pusher", denied.actor());
        assertEquals(403, denied.status());
        assertEquals("tag.delete", denied.action());
        assertEquals("team/app", denied.repository());
        AuditEntry refused = Audit.await(trail, wrongId);
        assertEquals("deleter", refused.actor(), "the name that was tried");
        assertEquals(401, refused.status());
        assertEquals("tag.list", refused.action());
        assertEquals("team/other", refused.repository());
        assertEquals("wrong user name or password", refused.detail().get("authProblem"));
        assertFalse(trail.records(r -> "manifest.put".equals(r.entry().action())
                && "audited".equals(r.entry().reference())).isEmpty());
        assertEquals("pusher", trail.records(r -> "manifest.put".equals(r.entry().action())
                && "audited".equals(r.entry().reference())).get(0).entry().actor());
    }

    private static String nextLink(HttpResponse<byte[]> page) {
        Matcher link = Pattern.compile("<([^>]+)>").matcher(page.headers().firstValue("Link").orElse(""));
        return link.find() ? link.group(1) : null;
    }
}
