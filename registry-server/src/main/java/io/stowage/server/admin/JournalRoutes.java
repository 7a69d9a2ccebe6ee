package io.stowage.server.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.stowage.recovery.journal.TagJournal;
import io.stowage.server.http.Endpoint;
import io.stowage.server.http.RequestContext;
import io.stowage.server.http.Response;
import io.stowage.server.http.Router;
import io.stowage.storage.meta.TagEvent;
import io.stowage.storage.oci.Digest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tag journal's routes of API.md: deleted tags and manifests, tag history, and undelete of a
 * tag (optionally to an earlier digest, or rolling a live tag back with {@code force}) or of a
 * manifest with its tags. Thread-safe.
 */
public final class JournalRoutes {
    private static final String REPOSITORY = "/admin/repositories/(?<name>.+)";

    private final TagJournal journal;

    private JournalRoutes(TagJournal journal) {
        this.journal = journal;
    }

    public static void register(Router router, TagJournal journal) {
        JournalRoutes routes = new JournalRoutes(journal);
        router.route(REPOSITORY + "/deleted-tags").on(HttpMethod.GET, "tag.deleted.list", Endpoint.bodiless(routes::deletedTags));
        router.route(REPOSITORY + "/deleted-manifests").on(HttpMethod.GET, "manifest.deleted.list", Endpoint.bodiless(routes::deletedManifests));
        router.route(REPOSITORY + "/tags/(?<tag>[^/]+)/history").on(HttpMethod.GET, "tag.history", Endpoint.bodiless(routes::history));
        router.route(REPOSITORY + "/tags/(?<tag>[^/]+)/undelete").on(HttpMethod.POST, "tag.undelete", Endpoint.bodiless(routes::undelete));
        router.route(REPOSITORY + "/manifests/(?<digest>[^/]+)/undelete")
                .on(HttpMethod.POST, "manifest.undelete", Endpoint.bodiless(routes::undeleteManifest));
    }

    private Response deletedTags(RequestContext request) {
        String name = request.pathParam("name");
        List<Map<String, Object>> tags = new ArrayList<>();
        for (TagJournal.DeletedTag deleted : journal.deletedTags(name)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("tag", deleted.deletion().tag());
            entry.put("digest", deleted.deletion().digest().toString());
            entry.put("deletedAt", AdminJson.time(deleted.deletion().at()));
            entry.put("deletedBy", deleted.deletion().actor());
            entry.put("restorable", deleted.restorable());
            entry.put("missingBlobs", deleted.missingBlobs());
            tags.add(entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("repository", name);
        body.put("deletedTags", tags);
        return AdminJson.ok(body);
    }

    private Response deletedManifests(RequestContext request) {
        String name = request.pathParam("name");
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (TagJournal.DeletedManifestState deleted : journal.deletedManifests(name)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("digest", deleted.manifest().digest().toString());
            entry.put("deletedAt", AdminJson.time(deleted.manifest().deletedAt()));
            entry.put("deletedBy", deleted.manifest().deletedBy());
            entry.put("tags", deleted.manifest().tags());
            entry.put("restorable", deleted.restorable());
            entry.put("missingBlobs", deleted.missingBlobs());
            manifests.add(entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("repository", name);
        body.put("deletedManifests", manifests);
        return AdminJson.ok(body);
    }

    private Response history(RequestContext request) {
        String name = request.pathParam("name");
        String tag = request.pathParam("tag");
        List<Map<String, Object>> events = new ArrayList<>();
        for (TagEvent event : journal.history(name, tag)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("type", event.type().wireName());
            entry.put("digest", event.digest().toString());
            entry.put("previousDigest", event.previousDigest() == null ? null : event.previousDigest().toString());
            entry.put("at", AdminJson.time(event.at()));
            entry.put("actor", event.actor());
            events.add(entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("repository", name);
        body.put("tag", tag);
        body.put("events", events);
        return AdminJson.ok(body);
    }

    private Response undelete(RequestContext request) {
        String digest = request.query("digest");
        TagJournal.Restored restored = journal.undelete(request.pathParam("name"), request.pathParam("tag"),
                digest == null ? null : Digest.parse(digest), "true".equalsIgnoreCase(request.query("force")),
                request.actor());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("repository", restored.repository());
        body.put("tag", restored.tag());
        body.put("digest", restored.digest().toString());
        body.put("restoredAt", AdminJson.time(restored.restoredAt()));
        body.put("previousDigest", restored.previousDigest() == null ? null : restored.previousDigest().toString());
        return AdminJson.ok(body);
    }

    private Response undeleteManifest(RequestContext request) {
        TagJournal.RestoredManifest restored = journal.undeleteManifest(request.pathParam("name"),
                Digest.parse(request.pathParam("digest")), request.actor());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("repository", restored.repository());
        body.put("digest", restored.digest().toString());
        body.put("restoredTags", restored.restoredTags());
        body.put("restoredAt", AdminJson.time(restored.restoredAt()));
        return AdminJson.ok(body);
    }
}
