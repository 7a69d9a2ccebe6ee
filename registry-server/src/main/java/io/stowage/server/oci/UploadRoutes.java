package io.stowage.server.oci;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.stowage.server.http.BodySink;
import io.stowage.server.http.RequestContext;
import io.stowage.server.http.Response;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.UploadSession;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.RepositoryName;
import io.stowage.storage.registry.RegistryService;
import io.stowage.storage.registry.UploadWriter;

import java.util.Optional;

/**
 * The push side of blobs: {@code POST /v2/<name>/blobs/uploads/} (new session, monolithic upload
 * with {@code ?digest=}, or cross-repository mount), and {@code PATCH}, {@code PUT}, {@code GET}
 * and {@code DELETE} on a session. Bodies stream to disk through {@link UploadSink}.
 * Thread-safe.
 */
final class UploadRoutes {
    private static final String UPLOAD_UUID_HEADER = "Docker-Upload-UUID";

    private final RegistryService registry;

    UploadRoutes(RegistryService registry) {
        this.registry = registry;
    }

    BodySink start(RequestContext request) throws Exception {
        String name = RepositoryName.validate(request.pathParam("name"));
        String mount = request.query("mount");
        // A caller who may not read the source gets a plain upload session, as if the blob were
        // not there: the spec allows that answer, and it tells nothing about the other repository.
        if (mount != null && request.caller().mayPull(request.query("from"))) {
            Digest digest = Digest.parse(mount);
            Optional<Long> mounted = registry.mountBlob(name, request.query("from"), digest);
            if (mounted.isPresent()) {
                return BodySink.ignoring(() -> created(name, digest));
            }
        }
        String digestParam = request.query("digest");
        if (digestParam != null) {
            Digest expected = Digest.parse(digestParam);
            UploadSession session = registry.startUpload(name);
            return new UploadSink(registry.openUpload(name, session.uploadId()), expected, null);
        }
        UploadSession session = registry.startUpload(name);
        return BodySink.ignoring(() -> inProgress(name, session.uploadId(), 0));
    }

    BodySink patch(RequestContext request) throws Exception {
        return chunkSink(request, null);
    }

    BodySink complete(RequestContext request) throws Exception {
        String digestParam = request.query("digest");
        if (digestParam == null) {
            throw RegistryException.digestInvalid("digest query parameter is required to complete an upload");
        }
        return chunkSink(request, Digest.parse(digestParam));
    }

    /** A sink for a chunk of an existing session, completing it with {@code completeWith} if not null. */
    private BodySink chunkSink(RequestContext request, Digest completeWith) throws Exception {
        UploadWriter writer = registry.openUpload(request.pathParam("name"), request.pathParam("uuid"));
        try {
            return new UploadSink(writer, completeWith, checkedChunkLength(request, writer));
        } catch (RuntimeException e) {
            writer.close();
            throw e;
        }
    }

    Response status(RequestContext request) throws Exception {
        String name = request.pathParam("name");
        UploadSession session = registry.uploadStatus(name, request.pathParam("uuid"));
        Response response = inProgress(name, session.uploadId(), session.size());
        return Response.status(204).header(HttpHeaderNames.LOCATION, response.headers().get(HttpHeaderNames.LOCATION))
                .header(HttpHeaderNames.RANGE, response.headers().get(HttpHeaderNames.RANGE))
                .header(UPLOAD_UUID_HEADER, session.uploadId());
    }

    Response cancel(RequestContext request) throws Exception {
        registry.cancelUpload(request.pathParam("name"), request.pathParam("uuid"));
        return Response.status(204);
    }

    /**
     * Checks a chunk's Content-Range against the session (416 when it does not start at the
     * session's end) and against Content-Length; returns the announced length, or null.
     */
    private static Long checkedChunkLength(RequestContext request, UploadWriter writer) {
        String header = request.header(HttpHeaderNames.CONTENT_RANGE);
        if (header == null) {
            return null;
        }
        ChunkRange range = ChunkRange.parse(header);
        writer.requireChunkStartsAt(range.start());
        String contentLength = request.header(HttpHeaderNames.CONTENT_LENGTH);
        if (contentLength != null && Long.parseLong(contentLength.trim()) != range.length()) {
            throw RegistryException.rangeNotSatisfiable(
                    "Content-Range covers " + range.length() + " bytes but Content-Length is " + contentLength,
                    writer.size());
        }
        return range.length();
    }

    /** 202 for a session that stays open: where to send the next chunk, and how far it got. */
    static Response inProgress(String name, String uploadId, long size) {
        return Response.status(202)
                .header(HttpHeaderNames.LOCATION, "/v2/" + name + "/blobs/uploads/" + uploadId)
                .header(HttpHeaderNames.RANGE, "0-" + (size > 0 ? size - 1 : 0))
                .header(UPLOAD_UUID_HEADER, uploadId);
    }

    /** 201 for a blob that is now in the repository. */
    static Response created(String name, Digest digest) {
        return Response.status(201)
                .header(HttpHeaderNames.LOCATION, "/v2/" + name + "/blobs/" + digest)
                .header(BlobRoutes.DIGEST_HEADER, digest);
    }
}
