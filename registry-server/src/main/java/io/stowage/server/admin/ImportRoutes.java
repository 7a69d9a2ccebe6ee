package io.stowage.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import io.stowage.recovery.reimport.ImportJobs;
import io.stowage.recovery.reimport.LayoutImporter;
import io.stowage.recovery.reimport.OciLayoutSource;
import io.stowage.server.http.Endpoint;
import io.stowage.server.http.RequestContext;
import io.stowage.server.http.Response;
import io.stowage.server.http.Router;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.oci.RepositoryName;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /admin/imports} loads an OCI layout on the server in the background (202 with the
 * job), {@code GET /admin/imports[/{id}]} reports on it. In the background because a whole backup
 * can take hours, longer than any client waits; the layout's {@code index.json} is read before the
 * 202, so a path that is not a layout is a 400 at once. Thread-safe.
 */
public final class ImportRoutes {
    private final ImportJobs jobs;
    private final LayoutImporter importer;

    private ImportRoutes(ImportJobs jobs, LayoutImporter importer) {
        this.jobs = jobs;
        this.importer = importer;
    }

    public static void register(Router router, ImportJobs jobs, LayoutImporter importer) {
        ImportRoutes routes = new ImportRoutes(jobs, importer);
        router.route("/admin/imports")
                .on(HttpMethod.POST, "import.start", Endpoint.buffered(AdminJson.MAX_BODY, routes::start))
                .on(HttpMethod.GET, "import.list", Endpoint.bodiless(routes::list));
        router.route("/admin/imports/(?<id>[^/]+)").on(HttpMethod.GET, "import.get", Endpoint.bodiless(routes::get));
    }

    private Response start(RequestContext request, byte[] body) {
        JsonNode json = AdminJson.optionalJson(body);
        SourceLocation from = SourceLocation.parse(RequestFields.text(json, "from"));
        if (!from.isLayout()) {
            throw SourceLocation.badRequest("an import reads an OCI layout on the server; to fetch from a registry use"
                    + " POST /admin/recovery/reimport");
        }
        String repository = RequestFields.text(json, "repository");
        if (repository != null) {
            RepositoryName.validate(repository);
        }
        OciLayoutSource layout = from.openLayout();
        String actor = request.actor();
        ImportJobs.Job job = jobs.start(layout.root().toString(), repository, actor,
                id -> importer.run(layout, repository, actor, id));
        return AdminJson.respond(202, job(job)).header("Location", "/admin/imports/" + job.id());
    }

    private Response list(RequestContext request) {
        List<Map<String, Object>> all = new ArrayList<>();
        for (ImportJobs.Job job : jobs.jobs()) {
            Map<String, Object> entry = job(job);
            entry.keySet().retainAll(List.of("id", "from", "repository", "actor", "startedAt", "finishedAt", "outcome"));
            all.add(entry);
        }
        return AdminJson.ok(Map.of("imports", all));
    }

    private Response get(RequestContext request) {
        String id = request.pathParam("id");
        ImportJobs.Job job = jobs.job(id).orElseThrow(() -> new RegistryException(ErrorCode.IMPORT_UNKNOWN,
                "no import " + id + " (imports are kept in memory until a restart)", Map.of("id", id)));
        return AdminJson.ok(job(job));
    }

    private static Map<String, Object> job(ImportJobs.Job job) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", job.id());
        body.put("from", job.from());
        body.put("repository", job.repository());
        body.put("actor", job.actor());
        body.put("startedAt", AdminJson.time(job.startedAt()));
        body.put("finishedAt", AdminJson.time(job.finishedAt()));
        body.put("outcome", job.outcome());
        if (job.error() != null) {
            body.put("error", job.error());
        }
        if (job.report() != null) {
            List<Map<String, Object>> images = new ArrayList<>();
            for (LayoutImporter.Image image : job.report().images()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("repository", image.repository());
                entry.put("tag", image.tag());
                entry.put("digest", image.digest());
                entry.put("outcome", image.outcome());
                entry.put("reason", image.reason());
                images.add(entry);
            }
            body.put("images", images);
            body.putAll(ImportJson.content(job.report().content()));
        }
        return body;
    }
}
