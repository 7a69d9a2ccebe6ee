package io.stowage.server.access;

import com.fasterxml.jackson.databind.JsonNode;
import io.stowage.server.OciApi;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static io.stowage.server.access.AuthFixture.ANONYMOUS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may do what, over real sockets: every {@link AuthFixture} user (and anonymous) against each
 * kind of call, with the status and OCI error code expected. A subclass runs it with passwords on
 * every request or with tokens from the token endpoint; the expectations are the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AccessMatrixContract {

    enum Call { API_CHECK, PULL, PUBLIC_PULL, PUSH, DELETE, CATALOG, TAGS, GC_PAUSE, GC_STATUS, AUDIT_QUERY }

    private static final List<String> CALLERS = List.of("admin", "auditor", "pusher", "puller", "deleter", "nobody", ANONYMOUS);

    abstract AuthClient client();

    /** The scheme of the challenge a 401 carries: {@code Basic} or {@code Bearer}. */
    abstract String challengeScheme();

    @BeforeAll
    void seed() throws Exception {
        AuthClient client = client();
        client.pushImage("seeder", "team/app", "v1", 1);
        client.pushImage("seeder", "public/base", "v1", 2);
        client.pushImage("seeder", "other/secret", "v1", 3);
        for (String caller : CALLERS) {
            client.pushImage("seeder", "team/app", "del-" + caller, 1);
        }
    }

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (String caller : CALLERS) {
            for (Call call : Call.values()) {
                cases.add(Arguments.of(caller, call, expected(caller, call)));
            }
        }
        return cases.stream();
    }

    static int expected(String caller, Call call) {
        if (caller.equals(ANONYMOUS)) {
            return call == Call.PUBLIC_PULL ? 200 : 401;
        }
        boolean pulls = caller.equals("pusher") || caller.equals("puller");
        boolean audits = caller.equals("admin") || caller.equals("auditor");
        return switch (call) {
            case API_CHECK, CATALOG, PUBLIC_PULL -> 200;
            case PULL, TAGS -> pulls ? 200 : 403;
            case PUSH -> caller.equals("pusher") ? 201 : 403;
            case DELETE -> caller.equals("deleter") ? 202 : 403;
            case GC_PAUSE -> caller.equals("admin") ? 200 : 403;
            case GC_STATUS, AUDIT_QUERY -> audits ? 200 : 403;
        };
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("matrix")
    void callerGetsTheExpectedAnswer(String caller, Call call, int status) throws Exception {
        HttpResponse<byte[]> response = run(caller, call);
        assertEquals(status, response.statusCode(), () -> caller + " " + call + ": " + AuthClient.text(response));
        if (status == 401) {
            assertEquals("UNAUTHORIZED", OciApi.errorCode(response));
            String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
            assertTrue(challenge.startsWith(challengeScheme() + " realm="), challenge);
        } else if (status == 403) {
            assertEquals("DENIED", OciApi.errorCode(response));
            assertTrue(response.headers().firstValue("WWW-Authenticate").isEmpty(), "no challenge with a 403");
        }
        if (call == Call.CATALOG && status == 200) {
            Set<String> listed = new HashSet<>();
            OciApi.json(response).path("repositories").forEach(name -> listed.add(name.asText()));
            boolean audits = caller.equals("admin") || caller.equals("auditor");
            boolean pullsTeam = audits || caller.equals("pusher") || caller.equals("puller");
            assertEquals(pullsTeam, listed.contains("team/app"), caller + " sees " + listed);
            assertEquals(audits, listed.contains("other/secret"), caller + " sees " + listed);
        }
    }

    private HttpResponse<byte[]> run(String caller, Call call) throws IOException, InterruptedException {
        AuthClient client = client();
        return switch (call) {
            case API_CHECK -> client.send("GET", "/v2/", null, client.authorization(caller));
            case PULL -> client.send("GET", "/v2/team/app/manifests/v1", null,
                    client.authorization(caller, "repository:team/app:pull"));
            case PUBLIC_PULL -> client.send("GET", "/v2/public/base/manifests/v1", null,
                    client.authorization(caller, "repository:public/base:pull"));
            case PUSH -> push(client, caller);
            case DELETE -> client.send("DELETE", "/v2/team/app/manifests/del-" + caller, null,
                    client.authorization(caller, "repository:team/app:delete"));
            case CATALOG -> client.send("GET", "/v2/_catalog", null,
                    client.authorization(caller, "registry:catalog:*", "repository:team/app:pull"));
            case TAGS -> client.send("GET", "/v2/team/app/tags/list", null,
                    client.authorization(caller, "repository:team/app:pull"));
            case GC_PAUSE -> pauseAndResume(client, caller);
            case GC_STATUS -> client.send("GET", "/admin/gc", null, client.authorization(caller));
            case AUDIT_QUERY -> client.send("GET", "/admin/audit?limit=1", null, client.authorization(caller));
        };
    }

    /** A blob and a manifest that uses it; the first answer that is not 201 is the outcome. */
    private static HttpResponse<byte[]> push(AuthClient client, String caller) throws IOException, InterruptedException {
        String authorization = client.authorization(caller, "repository:team/app:pull,push");
        byte[] config = ("{\"pushedBy\":\"" + caller + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> blob = client.send("POST", "/v2/team/app/blobs/uploads/?digest=" + Digest.sha256(config),
                config, authorization, "Content-Type", "application/octet-stream");
        if (blob.statusCode() != 201) {
            return blob;
        }
        byte[] manifest = OciApi.imageManifest(config, List.of(config), null, 0);
        return client.send("PUT", "/v2/team/app/manifests/by-" + caller, manifest, authorization,
                "Content-Type", OciApi.OCI_MANIFEST);
    }

    private static HttpResponse<byte[]> pauseAndResume(AuthClient client, String caller)
            throws IOException, InterruptedException {
        HttpResponse<byte[]> pause = client.send("POST", "/admin/gc/pause", null, client.authorization(caller));
        if (pause.statusCode() == 200) {
            JsonNode status = OciApi.json(pause);
            assertEquals(caller, status.path("pausedBy").asText(), "the pause names who paused");
            HttpResponse<byte[]> resume = client.send("POST", "/admin/gc/resume", null, client.authorization(caller));
            assertEquals(200, resume.statusCode(), () -> AuthClient.text(resume));
        }
        return pause;
    }
}
