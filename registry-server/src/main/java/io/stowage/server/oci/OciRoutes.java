package io.stowage.server.oci;

import io.netty.handler.codec.http.HttpMethod;
import io.stowage.server.http.Endpoint;
import io.stowage.server.http.Router;
import io.stowage.storage.registry.RegistryService;

/**
 * The OCI Distribution API's route table under {@code /v2/}, in one place. A repository name may
 * contain '/', so each route is known by its fixed suffix; the name itself is validated by the
 * service with the spec's grammar.
 */
public final class OciRoutes {
    private static final String NAME = "(?<name>.+)";

    private OciRoutes() {
    }

    public static void register(Router router, RegistryService registry) {
        DiscoveryRoutes discovery = new DiscoveryRoutes(registry);
        BlobRoutes blobs = new BlobRoutes(registry);
        UploadRoutes uploads = new UploadRoutes(registry);
        ManifestRoutes manifests = new ManifestRoutes(registry);

        router.route("/v2/?")
                .on(HttpMethod.GET, "api.check", Endpoint.bodiless(discovery::base))
                .on(HttpMethod.HEAD, "api.check", Endpoint.bodiless(discovery::base));
        router.route("/v2/_catalog")
                .on(HttpMethod.GET, "catalog.list", Endpoint.bodiless(discovery::catalog));
        router.route("/v2/" + NAME + "/tags/list")
                .on(HttpMethod.GET, "tag.list", Endpoint.bodiless(discovery::tags));
        router.route("/v2/" + NAME + "/referrers/(?<digest>[^/]+)")
                .on(HttpMethod.GET, "referrers.list", Endpoint.bodiless(discovery::referrers));
        router.route("/v2/" + NAME + "/manifests/(?<reference>[^/]+)")
                .on(HttpMethod.GET, "manifest.get", Endpoint.bodiless(manifests::get, manifests::getCached))
                .on(HttpMethod.HEAD, "manifest.head", Endpoint.bodiless(manifests::get, manifests::getCached))
                .on(HttpMethod.PUT, "manifest.put", Endpoint.buffered(registry.maxManifestBytes(), manifests::put))
                .on(HttpMethod.DELETE, "manifest.delete", Endpoint.bodiless(manifests::delete));
        router.route("/v2/" + NAME + "/blobs/uploads/?")
                .on(HttpMethod.POST, "blob.upload.start", Endpoint.streaming(uploads::start));
        router.route("/v2/" + NAME + "/blobs/uploads/(?<uuid>[^/]+)")
                .on(HttpMethod.PATCH, "blob.upload.chunk", Endpoint.streaming(uploads::patch))
                .on(HttpMethod.PUT, "blob.upload.complete", Endpoint.streaming(uploads::complete))
                .on(HttpMethod.GET, "blob.upload.status", Endpoint.bodiless(uploads::status))
                .on(HttpMethod.DELETE, "blob.upload.cancel", Endpoint.bodiless(uploads::cancel));
        router.route("/v2/" + NAME + "/blobs/(?<digest>[^/]+)")
                .on(HttpMethod.GET, "blob.get", Endpoint.bodiless(blobs::get))
                .on(HttpMethod.HEAD, "blob.head", Endpoint.bodiless(blobs::head))
                .on(HttpMethod.DELETE, "blob.delete", Endpoint.bodiless(blobs::delete));
    }
}
