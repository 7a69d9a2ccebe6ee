package io.stowage.server.oci;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.handler.codec.http.HttpMethod;
import io.stowage.server.http.Router;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.Reference;
import io.stowage.storage.oci.RepositoryName;
import io.stowage.storage.registry.RegistryService;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Any request path: the router finds a route, or answers 404/405; the names and references it
 * captures are either valid or refused with an OCI error, and a valid name can never step out of
 * its directory (no empty, {@code .} or {@code ..} segment, no leading or trailing {@code /}).
 */
class RouteFuzzTest {
    private static final List<HttpMethod> METHODS = List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT,
            HttpMethod.POST, HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS);
    private static final List<String> PREFIXES = List.of("/v2/", "/v2/a/", "/v2/a/b/manifests/", "/v2/a/blobs/",
            "/v2/a/blobs/uploads/", "/v2/a/tags/list", "/v2/a/referrers/", "/admin/", "");
    private static final Router ROUTER = router();

    /** Only the route table is used: no handler runs, so the service needs no stores. */
    private static Router router() {
        Router router = new Router();
        OciRoutes.register(router, new RegistryService(null, null, null, Clock.systemUTC(), 4 << 20));
        return router;
    }

    @FuzzTest(maxDuration = "45s")
    void routesOrRefuses(FuzzedDataProvider data) {
        HttpMethod method = data.pickValue(METHODS);
        String path = data.pickValue(PREFIXES) + data.consumeRemainingAsString();
        Router.Match match;
        try {
            match = ROUTER.match(method, path);
        } catch (RegistryException | Router.MethodNotAllowed refused) {
            return;
        }
        Map<String, String> params = match.pathParams();
        String name = params.get("name");
        if (name != null && RepositoryName.isValid(name)) {
            for (String segment : name.split("/", -1)) {
                if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                    throw new AssertionError("valid name with a bad segment: " + name);
                }
            }
        }
        expectValidOrRefused(() -> Reference.parse(params.getOrDefault("reference", "latest")));
        expectValidOrRefused(() -> Digest.parse(params.getOrDefault("digest",
                "sha256:" + "0".repeat(64))));
    }

    private static void expectValidOrRefused(Runnable parse) {
        try {
            parse.run();
        } catch (RegistryException refused) {
            // An OCI error: the answer is a 4xx.
        }
    }
}
