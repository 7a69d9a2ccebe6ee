package io.stowage.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import io.stowage.recovery.reimport.ContentSource;
import io.stowage.recovery.reimport.PushProvenance;
import io.stowage.recovery.reimport.Reimporter;
import io.stowage.server.http.Endpoint;
import io.stowage.server.http.RequestContext;
import io.stowage.server.http.Response;
import io.stowage.server.http.Router;
import io.stowage.storage.oci.Digest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /admin/recovery/reimport}: the verified re-import of one image from a layout on the
 * server or another registry, answered with its report once done. Synchronous because it is one
 * image and the operator wants the answer in the same {@code curl}; it runs on a request worker
 * (never the event loop) for as long as the source takes, bounded by the source's timeouts.
 * Every check of the input happens before anything is fetched. Thread-safe.
 */
public final class ReimportRoutes {
    private final Reimporter reimporter;

    private ReimportRoutes(Reimporter reimporter) {
        this.reimporter = reimporter;
    }

    public static void register(Router router, Reimporter reimporter) {
        ReimportRoutes routes = new ReimportRoutes(reimporter);
        router.route("/admin/recovery/reimport").on(HttpMethod.POST, "recovery.reimport",
                Endpoint.buffered(AdminJson.MAX_BODY, routes::reimport));
    }

    private Response reimport(RequestContext request, byte[] body) {
        JsonNode json = AdminJson.optionalJson(body);
        String repository = RequestFields.text(json, "repository");
        if (repository == null) {
            throw SourceLocation.badRequest("repository is required");
        }
        String tag = RequestFields.text(json, "tag");
        String digestText = RequestFields.text(json, "digest");
        Digest digest = digestText == null ? null : Digest.parse(digestText);
        SourceLocation from = SourceLocation.parse(RequestFields.text(json, "from"));
        String sourceRepository = RequestFields.text(json, "sourceRepository");
        if (sourceRepository == null) {
            sourceRepository = from.registryRepository();
        }
        String user = RequestFields.text(json, "sourceUser");
        String password = RequestFields.text(json, "sourcePassword");
        Reimporter.Request what = new Reimporter.Request(repository, tag, digest, sourceRepository,
                RequestFields.flag(json, "requireAudited"), RequestFields.flag(json, "restore"), request.actor(),
                request.requestId());
        try (ContentSource source = from.open(user, password == null ? null : password.toCharArray())) {
            return AdminJson.ok(report(reimporter.reimport(what, source)));
        }
    }

    static Map<String, Object> report(Reimporter.Report report) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("repository", report.repository());
        body.put("tag", report.tag());
        body.put("digest", report.digest().toString());
        body.put("digestFrom", report.digestFrom());
        body.put("source", report.source());
        body.put("outcome", report.complete() ? "complete" : "incomplete");
        body.put("provenance", provenance(report.provenance()));
        body.put("warnings", report.warnings());
        body.putAll(ImportJson.content(report.content()));
        body.put("restored", restored(report.restored()));
        return body;
    }

    private static Map<String, Object> provenance(PushProvenance.PushRecord push) {
        if (push == null) {
            return null;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("seq", push.seq());
        body.put("replica", push.replica());
        body.put("time", AdminJson.time(push.time()));
        body.put("actor", push.actor());
        body.put("requestId", push.requestId());
        body.put("reference", push.reference());
        body.put("tagMatched", push.tagMatched());
        body.put("checkpointed", push.checkpoint() != null);
        if (push.checkpoint() == null) {
            body.put("checkpoint", null);
        } else {
            Map<String, Object> checkpoint = new LinkedHashMap<>();
            checkpoint.put("seq", push.checkpoint().seq());
            checkpoint.put("time", AdminJson.time(push.checkpoint().time()));
            checkpoint.put("segment", push.checkpoint().segment());
            checkpoint.put("sealed", push.checkpoint().sealed());
            body.put("checkpoint", checkpoint);
        }
        return body;
    }

    private static Map<String, Object> restored(Reimporter.Restored restored) {
        if (restored == null) {
            return null;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tags", restored.tags());
        body.put("digest", restored.digest().toString());
        body.put("restoredAt", AdminJson.time(restored.restoredAt()));
        body.put("previousDigest", restored.previousDigest() == null ? null : restored.previousDigest().toString());
        body.put("alreadyLive", restored.alreadyLive());
        return body;
    }
}
