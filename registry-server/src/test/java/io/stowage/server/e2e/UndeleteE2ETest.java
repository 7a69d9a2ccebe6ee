package io.stowage.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recovery of a mistaken delete exactly as the README and docs/recovery.md tell a user, with
 * skopeo for the images and plain HTTP calls for the admin API, against the server as a process:
 * push app:v1 and app:v2 sharing layers, delete v1, pause GC, see a run refused and a dry run
 * spare everything v1 needs, undelete v1, pull it back identical, resume.
 */
class UndeleteE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final RegistryExtension server = new RegistryExtension();

    @TempDir
    Path temp;

    private final Skopeo skopeo = new Skopeo();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void requireSkopeoAndStowage() {
        Tools.requireOnPath("skopeo");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                !"reference".equals(System.getProperty("stowage.e2e.target")), "the admin API is Stowage's own");
    }

    @Test
    void aDeletedTagComesBackIdenticalWhileGcIsPaused() throws Exception {
        OciLayoutBuilder source = new OciLayoutBuilder(temp.resolve("source"), 7);
        OciLayoutBuilder.BuiltImage v1 = source.addImage("v1", 3);
        String registry = server.registry().hostPort();
        skopeo.push(source.reference("v1"), "docker://" + registry + "/team/app:v1", false);

        // v2 shares v1's first two layers, with a config of its own.
        OciHttpClient oci = new OciHttpClient(server.registry().baseUri());
        byte[] config2 = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        String config2Digest = oci.pushBlob("team/app", config2);
        String v2 = "{\"schemaVersion\":2,\"mediaType\":\"" + OciLayoutBuilder.MANIFEST_MEDIA_TYPE + "\",\"config\":"
                + descriptor(OciLayoutBuilder.CONFIG_MEDIA_TYPE, config2Digest, config2.length) + ",\"layers\":["
                + descriptor(v1.layers().get(0)) + "," + descriptor(v1.layers().get(1)) + "]}";
        oci.pushManifest("team/app", "v2", OciLayoutBuilder.MANIFEST_MEDIA_TYPE, v2.getBytes(StandardCharsets.UTF_8));

        assertEquals(202, call("DELETE", "/v2/team/app/manifests/v1", null).statusCode());
        assertFalse(skopeo.listTags("docker://" + registry + "/team/app").contains("v1"));

        HttpResponse<String> paused = call("POST", "/admin/gc/pause", "{\"reason\":\"restoring team/app:v1\"}");
        assertEquals("paused", json(paused).path("state").asText());
        HttpResponse<String> refused = call("POST", "/admin/gc/runs", null);
        assertEquals(409, refused.statusCode());
        assertEquals("GC_PAUSED", json(refused).path("errors").path(0).path("code").asText());

        String dryRun = json(call("POST", "/admin/gc/runs", "{\"dryRun\":true}")).path("id").asText();
        JsonNode report = awaitRun(dryRun);
        Set<String> wouldDelete = new HashSet<>();
        report.path("deleted").forEach(d -> wouldDelete.add(d.path("digest").asText()));
        List<OciLayoutBuilder.Descriptor> needed = new ArrayList<>(v1.layers());
        needed.add(v1.config());
        needed.add(v1.manifest());
        for (OciLayoutBuilder.Descriptor descriptor : needed) {
            assertFalse(wouldDelete.contains(descriptor.digest()), "the dry run spares " + descriptor.digest());
        }

        JsonNode deleted = json(call("GET", "/admin/repositories/team/app/deleted-tags", null)).path("deletedTags").path(0);
        assertEquals("v1", deleted.path("tag").asText());
        assertEquals(v1.manifest().digest(), deleted.path("digest").asText());
        assertTrue(deleted.path("restorable").asBoolean());

        HttpResponse<String> undelete = call("POST", "/admin/repositories/team/app/tags/v1/undelete", null);
        assertEquals(200, undelete.statusCode(), undelete.body());

        assertEquals(v1.manifest().digest(), Digests.sha256(skopeo.inspectRaw("docker://" + registry + "/team/app:v1")));
        Path copy = temp.resolve("copy");
        skopeo.pull("docker://" + registry + "/team/app:v1", "oci:" + copy + ":v1", false);
        OciLayoutReader back = new OciLayoutReader(copy);
        assertEquals(v1.manifest().digest(), back.digestOf("v1"));
        for (OciLayoutBuilder.Descriptor blob : needed.subList(0, needed.size() - 1)) {
            assertEquals(blob.digest(), Digests.sha256(back.blobPath(blob.digest())), "byte for byte: " + blob.digest());
        }

        assertEquals("idle", json(call("POST", "/admin/gc/resume", null)).path("state").asText());
    }

    private JsonNode awaitRun(String id) throws Exception {
        for (int i = 0; i < 300; i++) {
            JsonNode run = json(call("GET", "/admin/gc/runs/" + id, null));
            if (!run.path("finishedAt").isNull()) {
                return run;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("gc run " + id + " did not finish within 30 s");
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        URI uri = server.registry().baseUri().resolve(path);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static String descriptor(OciLayoutBuilder.Descriptor d) {
        return descriptor(d.mediaType(), d.digest(), d.size());
    }

    private static String descriptor(String mediaType, String digest, long size) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
    }
}
