package io.stowage.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import io.stowage.recovery.backup.BackupReport;
import io.stowage.recovery.backup.Backups;
import io.stowage.server.http.Endpoint;
import io.stowage.server.http.RequestContext;
import io.stowage.server.http.Response;
import io.stowage.server.http.Router;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backup routes: start a backup into a directory of the registry's host ({@code POST
 * /admin/backups} with {@code {"to": "/abs/dir"}}, 202 and the run), and the reports of the last
 * runs. The run itself goes on the backups' own thread, never a request worker. Thread-safe.
 */
public final class BackupRoutes {
    private final Backups backups;
    private final Schedule schedule;

    /** The configured schedule, shown with the runs: the directory (or null) and the interval (zero: off). */
    public record Schedule(String to, Duration interval) {
    }

    private BackupRoutes(Backups backups, Schedule schedule) {
        this.backups = backups;
        this.schedule = schedule;
    }

    public static void register(Router router, Backups backups, Schedule schedule) {
        BackupRoutes routes = new BackupRoutes(backups, schedule);
        router.route("/admin/backups")
                .on(HttpMethod.POST, "backup.start", Endpoint.buffered(AdminJson.MAX_BODY, routes::start))
                .on(HttpMethod.GET, "backup.list", Endpoint.bodiless(routes::list));
        router.route("/admin/backups/(?<id>[^/]+)").on(HttpMethod.GET, "backup.get", Endpoint.bodiless(routes::get));
    }

    private Response start(RequestContext request, byte[] body) {
        JsonNode json = AdminJson.optionalJson(body);
        JsonNode to = json.get("to");
        if (to != null && !to.isNull() && !to.isTextual()) {
            throw new RegistryException(ErrorCode.BACKUP_TARGET_INVALID, "\"to\" must be a string: the absolute path of"
                    + " a directory on the registry's host", null);
        }
        Backups.Started started = backups.start(to == null || to.isNull() ? null : to.asText(), request.actor());
        return AdminJson.respond(202, report(started.report())).header("Location", "/admin/backups/" + started.report().id());
    }

    private Response list(RequestContext request) {
        List<Map<String, Object>> runs = new ArrayList<>();
        for (BackupReport report : backups.runs()) {
            runs.add(report(report));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("running", backups.current().map(BackupReport::id).orElse(null));
        Map<String, Object> scheduled = new LinkedHashMap<>();
        scheduled.put("to", schedule.to());
        scheduled.put("interval", schedule.interval().toString());
        body.put("schedule", scheduled);
        body.put("runs", runs);
        return AdminJson.ok(body);
    }

    private Response get(RequestContext request) {
        String id = request.pathParam("id");
        BackupReport report = backups.run(id).orElseThrow(() -> new RegistryException(ErrorCode.BACKUP_RUN_UNKNOWN,
                "no backup run " + id + " (the registry remembers its last 100 runs since it started)", Map.of("id", id)));
        return AdminJson.ok(report(report));
    }

    static Map<String, Object> report(BackupReport report) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", report.id());
        body.put("to", report.to());
        body.put("actor", report.actor());
        body.put("startedAt", AdminJson.time(report.startedAt()));
        body.put("finishedAt", AdminJson.time(report.finishedAt()));
        body.put("outcome", report.outcome());
        body.put("unchanged", report.unchanged());
        body.put("blobs", Map.of("written", report.blobs().written(), "present", report.blobs().present()));
        body.put("manifests", Map.of("written", report.manifests().written(), "present", report.manifests().present()));
        body.put("bytesWritten", report.bytesWritten());
        body.put("tags", report.tags());
        body.put("untaggedManifests", report.untagged());
        body.put("deletedManifests", report.deleted());
        body.put("journalEvents", report.journalEvents());
        body.put("indexWritten", report.indexWritten());
        body.put("durationMs", report.durationMs());
        List<Map<String, Object>> problems = new ArrayList<>();
        for (BackupReport.Problem problem : report.problems()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("kind", problem.kind());
            entry.put("repository", problem.repository());
            entry.put("digest", problem.digest());
            entry.put("message", problem.message());
            problems.add(entry);
        }
        body.put("problems", problems);
        if (report.error() != null) {
            body.put("error", report.error());
        }
        return body;
    }
}
