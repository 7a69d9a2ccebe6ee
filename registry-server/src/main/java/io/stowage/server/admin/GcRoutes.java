package io.stowage.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpMethod;
import io.stowage.gc.GarbageCollector;
import io.stowage.gc.GcStatus;
import io.stowage.server.http.Endpoint;
import io.stowage.server.http.RequestContext;
import io.stowage.server.http.Response;
import io.stowage.server.http.Router;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.GcDeletion;
import io.stowage.storage.meta.GcRunRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The garbage collector's routes of API.md: status, durable pause and resume, starting a run
 * (or a dry run), and the history of runs with what each deleted. Thread-safe.
 */
public final class GcRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GarbageCollector gc;

    private GcRoutes(GarbageCollector gc) {
        this.gc = gc;
    }

    public static void register(Router router, GarbageCollector gc) {
        GcRoutes routes = new GcRoutes(gc);
        router.route("/admin/gc").on(HttpMethod.GET, "gc.status", Endpoint.bodiless(request -> AdminJson.ok(routes.status(gc.status()))));
        router.route("/admin/gc/pause").on(HttpMethod.POST, "gc.pause", Endpoint.buffered(AdminJson.MAX_BODY, routes::pause));
        router.route("/admin/gc/resume").on(HttpMethod.POST, "gc.resume", Endpoint.buffered(AdminJson.MAX_BODY, routes::resume));
        router.route("/admin/gc/runs")
                .on(HttpMethod.POST, "gc.run.start", Endpoint.buffered(AdminJson.MAX_BODY, routes::startRun))
                .on(HttpMethod.GET, "gc.run.list", Endpoint.bodiless(routes::listRuns));
        router.route("/admin/gc/runs/(?<id>[^/]+)").on(HttpMethod.GET, "gc.run.get", Endpoint.bodiless(routes::getRun));
    }

    private Response pause(RequestContext request, byte[] body) {
        JsonNode json = AdminJson.optionalJson(body);
        String reason = json.hasNonNull("reason") ? json.get("reason").asText() : null;
        return AdminJson.ok(status(gc.pause(request.actor(), reason)));
    }

    private Response resume(RequestContext request, byte[] body) {
        JsonNode json = AdminJson.optionalJson(body);
        String reason = json.hasNonNull("reason") ? json.get("reason").asText() : null;
        return AdminJson.ok(status(gc.resume(request.actor(), reason)));
    }

    private Response startRun(RequestContext request, byte[] body) {
        JsonNode json = AdminJson.optionalJson(body);
        boolean dryRun = json.path("dryRun").asBoolean(false);
        GarbageCollector.Started started = gc.start(dryRun, request.actor());
        return AdminJson.respond(202, run(started.run())).header("Location", "/admin/gc/runs/" + started.run().id());
    }

    private Response listRuns(RequestContext request) {
        List<Map<String, Object>> runs = new ArrayList<>();
        for (GcRunRecord run : gc.runs(100)) {
            runs.add(run(run));
        }
        return AdminJson.ok(Map.of("runs", runs));
    }

    private Response getRun(RequestContext request) {
        String id = request.pathParam("id");
        GcRunRecord run = gc.run(id).orElseThrow(() -> new RegistryException(ErrorCode.GC_RUN_UNKNOWN,
                "no garbage collection run " + id, Map.of("id", id)));
        Map<String, Object> body = run(run);
        List<Map<String, Object>> deleted = new ArrayList<>();
        for (GcDeletion deletion : gc.deletions(id)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("digest", deletion.digest());
            entry.put("kind", deletion.kind());
            entry.put("size", deletion.size());
            if (deletion.repository() != null) {
                entry.put("repository", deletion.repository());
            }
            deleted.add(entry);
        }
        body.put("deleted", deleted);
        return AdminJson.ok(body);
    }

    private Map<String, Object> status(GcStatus status) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("state", status.state());
        body.put("paused", status.pause().paused());
        body.put("pausedBy", status.pause().pausedBy());
        body.put("pausedAt", AdminJson.time(status.pause().pausedAt()));
        body.put("pauseReason", status.pause().reason());
        body.put("gracePeriod", status.gracePeriod().toString());
        body.put("retention", status.retention().toString());
        body.put("currentRun", status.currentRun() == null ? null : run(status.currentRun()));
        body.put("lastRun", status.lastRun() == null ? null : run(status.lastRun()));
        return body;
    }

    private static Map<String, Object> run(GcRunRecord run) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", run.id());
        body.put("dryRun", run.dryRun());
        body.put("startedAt", AdminJson.time(run.startedAt()));
        body.put("finishedAt", AdminJson.time(run.finishedAt()));
        body.put("outcome", run.outcome());
        body.put("marked", Map.of("manifests", run.markedManifests(), "blobs", run.markedBlobs()));
        Map<String, Object> swept = new LinkedHashMap<>();
        swept.put("manifests", run.sweptManifests());
        swept.put("blobs", run.sweptBlobs());
        swept.put("bytes", run.sweptBytes());
        body.put("swept", swept);
        if (run.error() != null) {
            body.put("error", run.error());
        }
        return body;
    }
}
