package io.stowage.server.access;

import io.netty.handler.codec.http.HttpMethod;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.server.config.RegistryConfig;
import io.stowage.server.http.Endpoint;
import io.stowage.server.http.HttpServer;
import io.stowage.server.http.RequestAuditor;
import io.stowage.server.http.Response;
import io.stowage.server.http.Router;
import io.stowage.server.http.WorkerPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The access table covers every route, and an action it does not name is refused to everybody. */
class AccessRulesTest {
    /** Token mode registers the most routes: the token endpoint too. */
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry(AuthFixture.mode("token"));

    @Test
    void everyRegisteredRouteHasAnAccessRule() {
        Set<String> actions = registry.registry().routeActions();
        assertTrue(actions.containsAll(Set.of("manifest.get", "blob.upload.start", "gc.pause", "audit.query",
                "auth.token", "ops.health")), "the registry's routes: " + actions);
        assertEquals(Set.of(), AccessRules.standard().uncovered(actions), "actions without a rule");
    }

    @Test
    void aRouteWithoutARuleStopsTheStartAndIsRefusedToAnAdmin(@TempDir Path dir) throws Exception {
        RegistryConfig config = new RegistryConfig();
        config.storage.dataDir = dir.toString();
        AuthFixture.mode("basic").accept(config);
        AccessControl access = AccessControl.fromConfig(config.auth, dir, Clock.systemUTC());
        Router router = new Router();
        router.route("/v2/unlisted").on(HttpMethod.GET, "x.unlisted",
                Endpoint.bodiless(request -> Response.status(200)));

        IllegalStateException start = assertThrows(IllegalStateException.class, () -> access.requireRulesFor(router));
        assertTrue(start.getMessage().contains("x.unlisted"), start.getMessage());

        try (WorkerPool workers = new WorkerPool(2, 16)) {
            HttpServer server = new HttpServer(router, workers, io.stowage.server.Registry.httpLimits(new RegistryConfig().limits), 1,
                    RequestAuditor.off(), access.guard(), null, io.stowage.server.http.TrustedProxies.NONE);
            InetSocketAddress address = server.start("127.0.0.1", 0);
            try {
                HttpResponse<byte[]> response = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + "/v2/unlisted"))
                                .header("Authorization", AuthClient.basic("admin", AuthFixture.password("admin")))
                                .timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(403, response.statusCode());
                assertEquals("DENIED", OciApi.errorCode(response));
            } finally {
                server.shutdown(Duration.ofSeconds(2));
            }
        }
    }
}
