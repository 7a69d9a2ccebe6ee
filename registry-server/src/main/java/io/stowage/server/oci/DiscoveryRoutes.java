package io.stowage.server.oci;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.stowage.server.http.Caller;
import io.stowage.server.http.RequestContext;
import io.stowage.server.http.Response;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.MediaTypes;
import io.stowage.storage.registry.RegistryService;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
    /** Repositories read per query while filtering the catalog for a caller. */
    private static final int CATALOG_SCAN_BATCH = 500;

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
        Caller caller = request.caller();
        RegistryService.Page repositories = caller.listsWholeCatalog()
                ? registry.listRepositories(page.last(), page.limit())
                : visibleRepositories(caller, page);
        Map<String, Object> body = Map.of("repositories", repositories.items());
        return paged(Response.status(200).bytes(Json.bytes(body), Json.CONTENT_TYPE), repositories, page,
                "/v2/_catalog");
    }

    /**
     * A page of the repositories {@code caller} may pull: pages of the whole list are read and
     * filtered until this one is full and one more is seen, so a page is short only at the end and
     * the {@code Link} header works as without filtering. A caller who may pull little from a large
     * registry makes this read the whole list; that is a catalog call, not a pull.
     */
    private RegistryService.Page visibleRepositories(Caller caller, Pagination page) {
        List<String> visible = new ArrayList<>();
        String last = page.last();
        while (true) {
            RegistryService.Page batch = registry.listRepositories(last, Math.max(page.limit(), CATALOG_SCAN_BATCH));
            for (String name : batch.items()) {
                if (caller.mayPull(name)) {
                    if (visible.size() == page.limit()) {
                        return new RegistryService.Page(visible, true);
                    }
                    visible.add(name);
                }
            }
            if (!batch.hasMore() || batch.items().isEmpty()) {
                return new RegistryService.Page(visible, false);
            }
            last = batch.items().get(batch.items().size() - 1);
        }
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
