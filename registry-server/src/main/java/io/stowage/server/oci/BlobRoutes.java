package io.stowage.server.oci;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.stowage.server.http.RequestContext;
import io.stowage.server.http.Response;
import io.stowage.storage.blob.BlobContent;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.registry.RegistryService;

import java.net.URI;
import java.util.Optional;

/**
 * {@code GET}, {@code HEAD} and {@code DELETE /v2/<name>/blobs/<digest>}: downloads with
 * {@code Range} and {@code ETag}, existence checks (which also refresh the blob's GC hold), and
 * unlinking. Thread-safe.
 */
final class BlobRoutes {
    static final String DIGEST_HEADER = "Docker-Content-Digest";

    private final RegistryService registry;

    BlobRoutes(RegistryService registry) {
        this.registry = registry;
    }

    Response head(RequestContext request) {
        String name = request.pathParam("name");
        Digest digest = Digest.parse(request.pathParam("digest"));
        long size = registry.statBlob(name, digest);
        return describe(Response.status(200), digest).header(HttpHeaderNames.CONTENT_LENGTH, size);
    }

    Response get(RequestContext request) throws Exception {
        String name = request.pathParam("name");
        Digest digest = Digest.parse(request.pathParam("digest"));
        String etag = etag(digest);
        if (!etag.equals(request.header(HttpHeaderNames.IF_NONE_MATCH))) {
            // A store that hands out URLs (S3 with storage.s3.redirect) serves the bytes itself, as
            // registry:2 does; a Range header travels with the client's follow-up request.
            Optional<URI> direct = registry.blobDownloadUrl(name, digest);
            if (direct.isPresent()) {
                return describe(Response.status(307), digest).header(HttpHeaderNames.LOCATION, direct.get().toString());
            }
        }
        BlobContent content = registry.openBlob(name, digest);
        try {
            long size = content.size();
            if (etag.equals(request.header(HttpHeaderNames.IF_NONE_MATCH))) {
                content.close();
                return describe(Response.status(304), digest);
            }
            ByteRange range = ByteRange.parse(request.header(HttpHeaderNames.RANGE), size);
            if (range == null) {
                return describe(Response.status(200), digest).blob(content, 0, size);
            }
            return describe(Response.status(206), digest)
                    .header(HttpHeaderNames.CONTENT_RANGE, range.contentRange(size))
                    .blob(content, range.start(), range.length());
        } catch (RuntimeException e) {
            content.close();
            throw e;
        }
    }

    Response delete(RequestContext request) {
        String name = request.pathParam("name");
        Digest digest = Digest.parse(request.pathParam("digest"));
        registry.deleteBlob(name, digest);
        return Response.status(202).header(DIGEST_HEADER, digest);
    }

    private static Response describe(Response response, Digest digest) {
        return response.header(DIGEST_HEADER, digest)
                .header(HttpHeaderNames.ETAG, etag(digest))
                .header(HttpHeaderNames.ACCEPT_RANGES, "bytes")
                .header(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream")
                .header(HttpHeaderNames.CACHE_CONTROL, "max-age=31536000");
    }

    private static String etag(Digest digest) {
        return "\"" + digest + "\"";
    }
}
