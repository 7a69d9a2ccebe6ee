package io.stowage.server.oci;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.stowage.server.http.RequestContext;
import io.stowage.server.http.Response;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.MediaTypes;
import io.stowage.storage.registry.RegistryService;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Content discovery: {@code GET /v2/} (the API version check), {@code /v2/<name>/tags/list},
 * {@code /v2/_catalog} and {@code /v2/<name>/referrers/<digest>}. Thread-safe.
 */
final class DiscoveryRoutes {
    /** The catalog is paged even when the client does not ask, so one call stays small. */
    private static final int DEFAULT_CATALOG_PAGE = 1000;
    private static final String FILTERS_APPLIED_HEADER = "OCI-Filters-Applied";

    private final RegistryService registry;

    DiscoveryRoutes(RegistryService registry) {
        this.registry = registry;
    }

    Response base(RequestContext request) {
        return Response.status(200).bytes("{}".getBytes(StandardCharsets.UTF_8), Json.CONTENT_TYPE);
    }

    Response tags(RequestContext request) {
        String name = request.pathParam("name");
        Pagination page = Pagination.parse(request.query("n"), request.query("last"), Pagination.MAX_PAGE);
        RegistryService.Page tags = registry.listTags(name, page.last(), page.limit());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("tags", tags.items());
        return paged(Response.status(200).bytes(Json.bytes(body), Json.CONTENT_TYPE), tags, page,
                "/v2/" + name + "/tags/list");
    }

    Response catalog(RequestContext request) {
        Pagination page = Pagination.parse(request.query("n"), request.query("last"), DEFAULT_CATALOG_PAGE);
        RegistryService.Page repositories = registry.listRepositories(page.last(), page.limit());
        Map<String, Object> body = Map.of("repositories", repositories.items());
        return paged(Response.status(200).bytes(Json.bytes(body), Json.CONTENT_TYPE), repositories, page,
                "/v2/_catalog");
    }

    Response referrers(RequestContext request) {
        String name = request.pathParam("name");
        Digest subject = Digest.parse(request.pathParam("digest"));
        String artifactType = request.query("artifactType");
        Response response = Response.status(200)
                .bytes(registry.referrersIndex(name, subject, artifactType), MediaTypes.OCI_INDEX);
        if (artifactType != null) {
            response.header(FILTERS_APPLIED_HEADER, "artifactType");
        }
        return response;
    }

    private static Response paged(Response response, RegistryService.Page page, Pagination pagination, String path) {
        List<String> items = page.items();
        if (page.hasMore() && !items.isEmpty()) {
            response.header("Link", pagination.nextLink(path, items.get(items.size() - 1)));
        }
        return response;
    }
}
