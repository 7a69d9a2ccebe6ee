package io.stowage.server.ops;

import io.netty.handler.codec.http.HttpMethod;
import io.stowage.server.http.Endpoint;
import io.stowage.server.http.Response;
import io.stowage.server.http.Router;
import io.stowage.storage.registry.RegistryService;

import java.nio.charset.StandardCharsets;

/**
 * Routes for operators and orchestrators outside the OCI API: {@code /healthz} (the process
 * answers) and {@code /readyz} (the metadata store answers a query and the blob store is reachable;
 * 503 {@code UNAVAILABLE} naming the backend otherwise, so a load balancer routes around the replica).
 */
public final class OpsRoutes {
    private static final byte[] OK = "ok\n".getBytes(StandardCharsets.UTF_8);

    private OpsRoutes() {
    }

    public static void register(Router router, RegistryService registry) {
        router.route("/healthz")
                .on(HttpMethod.GET, "ops.health", Endpoint.bodiless(request -> Response.status(200).bytes(OK, "text/plain")));
        router.route("/readyz")
                .on(HttpMethod.GET, "ops.ready", Endpoint.bodiless(request -> {
                    registry.checkReady();
                    return Response.status(200).bytes(OK, "text/plain");
                }));
    }
}
