package io.stowage.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import io.stowage.recovery.scrub.RepairSource;
import io.stowage.recovery.scrub.ScrubJobs;
import io.stowage.recovery.scrub.ScrubReport;
import io.stowage.recovery.scrub.ScrubSchedule;
import io.stowage.recovery.scrub.Scrubber;
import io.stowage.server.http.Endpoint;
import io.stowage.server.http.RequestContext;
import io.stowage.server.http.Response;
import io.stowage.server.http.Router;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The integrity scrub's routes: {@code POST /admin/scrub} starts a run in the background (202 with
 * the run and its {@code Location}; 409 {@code SCRUB_RUNNING} while one is under way),
 * {@code GET /admin/scrub} the status with the current and last run, {@code GET /admin/scrub/runs}
 * and {@code GET /admin/scrub/runs/{id}} the reports. Every check of the body happens before the run
 * is started, so bad input is a 400 that changes nothing. Thread-safe.
 */
public final class ScrubRoutes {
    private final ScrubJobs jobs;
    private final Settings settings;

    /**
     * What runs default to, as configured.
     *
     * @param repairFrom the configured repair source, or null
     * @param schedule   when scheduled runs are due (null: no schedule)
     */
    public record Settings(Duration interval, long maxBytesPerSecond, RepairSource repairFrom, ScrubSchedule schedule) {
    }

    private ScrubRoutes(ScrubJobs jobs, Settings settings) {
        this.jobs = jobs;
        this.settings = settings;
    }

    public static void register(Router router, ScrubJobs jobs, Settings settings) {
        ScrubRoutes routes = new ScrubRoutes(jobs, settings);
        router.route("/admin/scrub")
                .on(HttpMethod.GET, "scrub.status", Endpoint.bodiless(routes::status))
                .on(HttpMethod.POST, "scrub.start", Endpoint.buffered(AdminJson.MAX_BODY, routes::start));
        router.route("/admin/scrub/runs").on(HttpMethod.GET, "scrub.run.list", Endpoint.bodiless(routes::list));
        router.route("/admin/scrub/runs/(?<id>[^/]+)").on(HttpMethod.GET, "scrub.run.get", Endpoint.bodiless(routes::get));
    }

    private Response start(RequestContext request, byte[] body) {
        JsonNode json = AdminJson.optionalJson(body);
        boolean dryRun = RequestFields.flag(json, "dryRun");
        long rate = settings.maxBytesPerSecond();
        JsonNode rateField = json.get("maxBytesPerSecond");
        if (rateField != null && !rateField.isNull()) {
            if (!rateField.canConvertToLong() || !rateField.isIntegralNumber() || rateField.asLong() < 0) {
                throw SourceLocation.badRequest("maxBytesPerSecond must be a whole number, 0 (no limit) or more");
            }
            rate = rateField.asLong();
        }
        String repairFrom = RequestFields.text(json, "repairFrom");
        RepairSource source = repairFrom == null ? settings.repairFrom()
                : RepairSources.fromRequest(repairFrom, RequestFields.text(json, "repairUser"),
                RequestFields.text(json, "repairPassword"));
        ScrubReport started = jobs.start(new Scrubber.Request(request.actor(), dryRun, source, rate));
        recordStart(started);
        return AdminJson.respond(202, summary(started)).header("Location", "/admin/scrub/runs/" + started.id());
    }

    /** Any run counts for the schedule: a scrub an admin just ran need not be repeated tonight. */
    private void recordStart(ScrubReport started) {
        if (settings.schedule() == null) {
            return;
        }
        try {
            settings.schedule().started(started.startedAt());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Response status(RequestContext request) {
        Map<String, Object> body = new LinkedHashMap<>();
        ScrubReport current = jobs.current().orElse(null);
        body.put("state", current == null ? "idle" : "running");
        body.put("interval", settings.interval().toString());
        body.put("nextRunAt", settings.schedule() == null ? null : AdminJson.time(settings.schedule().nextRunAt()));
        body.put("maxBytesPerSecond", settings.maxBytesPerSecond());
        body.put("repairFrom", settings.repairFrom() == null ? null : settings.repairFrom().description());
        body.put("currentRun", current == null ? null : summary(current));
        body.put("lastRun", jobs.lastRun().map(ScrubRoutes::summary).orElse(null));
        return AdminJson.ok(body);
    }

    private Response list(RequestContext request) {
        List<Map<String, Object>> runs = new ArrayList<>();
        for (ScrubReport run : jobs.runs()) {
            runs.add(summary(run));
        }
        return AdminJson.ok(Map.of("runs", runs));
    }

    private Response get(RequestContext request) {
        String id = request.pathParam("id");
        ScrubReport run = jobs.run(id).orElseThrow(() -> new RegistryException(ErrorCode.SCRUB_RUN_UNKNOWN,
                "no scrub run " + id + " (reports are kept in memory until a restart; the audit log keeps every run)",
                Map.of("id", id)));
        return AdminJson.ok(report(run));
    }

    static Map<String, Object> summary(ScrubReport run) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", run.id());
        body.put("actor", run.actor());
        body.put("dryRun", run.dryRun());
        body.put("repairFrom", run.repairFrom());
        body.put("maxBytesPerSecond", run.maxBytesPerSecond());
        body.put("startedAt", AdminJson.time(run.startedAt()));
        body.put("finishedAt", AdminJson.time(run.finishedAt()));
        body.put("outcome", run.outcome());
        if (run.error() != null) {
            body.put("error", run.error());
        }
        body.put("blobsChecked", run.blobsChecked());
        body.put("bytesHashed", run.bytesHashed());
        body.put("manifestsChecked", run.manifestsChecked());
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("corrupt", run.corrupt().size());
        counts.put("missing", run.missing().size());
        counts.put("quarantined", run.quarantined().size());
        counts.put("repaired", run.repaired().size());
        counts.put("repairFailed", run.repairFailed().size());
        counts.put("affected", run.affected().size());
        body.put("counts", counts);
        return body;
    }

    static Map<String, Object> report(ScrubReport run) {
        Map<String, Object> body = summary(run);
        body.put("corrupt", run.corrupt().stream().map(ScrubRoutes::finding).toList());
        body.put("missing", run.missing().stream().map(ScrubRoutes::finding).toList());
        body.put("quarantined", run.quarantined().stream().map(q -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("digest", q.digest());
            entry.put("path", q.path());
            entry.put("reason", q.reason());
            return entry;
        }).toList());
        body.put("repaired", run.repaired().stream().map(ScrubRoutes::repair).toList());
        body.put("repairFailed", run.repairFailed().stream().map(ScrubRoutes::repair).toList());
        body.put("affected", run.affected().stream().map(a -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("repository", a.repository());
            entry.put("tag", a.tag());
            entry.put("digest", a.digest());
            entry.put("deleted", a.deleted());
            entry.put("corrupt", a.corrupt());
            entry.put("missing", a.missing());
            entry.put("repaired", a.repaired());
            return entry;
        }).toList());
        return body;
    }

    private static Map<String, Object> finding(ScrubReport.Finding finding) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("digest", finding.digest());
        entry.put("kind", finding.kind());
        entry.put("repository", finding.repository());
        entry.put("size", finding.size());
        entry.put("actualDigest", finding.actualDigest());
        entry.put("reason", finding.reason());
        return entry;
    }

    private static Map<String, Object> repair(ScrubReport.Repair repair) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("digest", repair.digest());
        entry.put("kind", repair.kind());
        entry.put("repository", repair.repository());
        entry.put("note", repair.note());
        return entry;
    }
}
