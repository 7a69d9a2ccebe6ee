package io.stowage.server.oci;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import io.stowage.server.http.RequestContext;
import io.stowage.server.http.Response;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.StoredManifest;
import io.stowage.storage.oci.MediaTypes;
import io.stowage.storage.oci.Reference;
import io.stowage.storage.registry.RegistryService;

import java.util.Map;

/**
 * {@code PUT}, {@code GET}, {@code HEAD} and {@code DELETE /v2/<name>/manifests/<reference>}.
 * Manifests are returned byte for byte as pushed, with their stored media type. Thread-safe.
 */
final class ManifestRoutes {
    private static final String SUBJECT_HEADER = "OCI-Subject";

    private final RegistryService registry;

    ManifestRoutes(RegistryService registry) {
        this.registry = registry;
    }

    Response put(RequestContext request, byte[] body) {
        String name = request.pathParam("name");
        Reference reference = Reference.parse(request.pathParam("reference"));
        String contentType = request.header(HttpHeaderNames.CONTENT_TYPE);
        if (contentType != null) {
            contentType = HttpUtil.getMimeType(contentType).toString().trim();
        }
        RegistryService.PutManifestResult result =
                registry.putManifest(name, reference, contentType, body, request.queryAll("tag"), request.actor());
        Response response = Response.status(201)
                .header(HttpHeaderNames.LOCATION, "/v2/" + name + "/manifests/" + result.digest())
                .header(BlobRoutes.DIGEST_HEADER, result.digest());
        if (result.subject() != null) {
            response.header(SUBJECT_HEADER, result.subject());
        }
        return response;
    }

    Response get(RequestContext request) {
        String name = request.pathParam("name");
        Reference reference = Reference.parse(request.pathParam("reference"));
        StoredManifest manifest = registry.getManifest(name, reference);
        requireAcceptable(request, manifest, reference);
        return answer(manifest);
    }

    /** {@link #get} from the manifest cache on the network thread, or null (see {@code Endpoint.FastPath}). */
    Response getCached(RequestContext request) {
        Reference reference = Reference.parse(request.pathParam("reference"));
        StoredManifest manifest = registry.cachedManifest(request.pathParam("name"), reference).orElse(null);
        if (manifest == null) {
            return null;
        }
        requireAcceptable(request, manifest, reference);
        return answer(manifest);
    }

    private static Response answer(StoredManifest manifest) {
        return Response.status(200)
                .bytes(manifest.content(), manifest.mediaType())
                .header(BlobRoutes.DIGEST_HEADER, manifest.digest())
                .header(HttpHeaderNames.ETAG, "\"" + manifest.digest() + "\"");
    }

    Response delete(RequestContext request) {
        String name = request.pathParam("name");
        Reference reference = Reference.parse(request.pathParam("reference"));
        registry.deleteManifest(name, reference, request.actor());
        return Response.status(202);
    }

    /**
     * Content negotiation: a client that lists manifest media types in {@code Accept} but not
     * this one cannot read it, so it gets 404 as from registry:2. A client that lists none (or a
     * wildcard) gets the manifest as stored.
     */
    private static void requireAcceptable(RequestContext request, StoredManifest manifest, Reference reference) {
        // One pass over the listed types without building a list: this runs on every manifest GET.
        boolean namesManifestTypes = false;
        boolean acceptsStored = false;
        for (String header : request.headers().getAll(HttpHeaderNames.ACCEPT)) {
            int start = 0;
            while (start <= header.length()) {
                int comma = header.indexOf(',', start);
                int end = comma < 0 ? header.length() : comma;
                int semicolon = header.indexOf(';', start);
                String type = header.substring(start, semicolon >= 0 && semicolon < end ? semicolon : end).trim();
                if (type.equals("*/*") || type.equals("application/*") || type.equals(manifest.mediaType())) {
                    acceptsStored = true;
                } else if (MediaTypes.MANIFEST_TYPES.contains(type)) {
                    namesManifestTypes = true;
                }
                start = end + 1;
            }
        }
        if (namesManifestTypes && !acceptsStored) {
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN,
                    "manifest is " + manifest.mediaType() + ", which the Accept header does not list",
                    Map.of("reference", reference.toString(), "mediaType", manifest.mediaType()));
        }
    }
}
