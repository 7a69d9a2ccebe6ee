package io.stowage.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.stowage.server.OciApi.OCI_MANIFEST;
import static io.stowage.server.OciApi.errorCode;
import static io.stowage.server.OciApi.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tag journal's admin routes (API.md "Tag journal and undelete") over real sockets. */
class JournalApiTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry();
    private final OciApi api = new OciApi(registry);

    @Test
    void aDeletedTagIsGoneForClientsAndComesBackWithOneCall() throws Exception {
        Digest digest = api.pushImage("j/app", "v1", 40);
        byte[] manifest = api.get("/v2/j/app/manifests/v1").body();
        assertEquals(202, api.send("DELETE", "/v2/j/app/manifests/v1", null).statusCode());
        HttpResponse<byte[]> gone = api.get("/v2/j/app/manifests/v1");
        assertEquals(404, gone.statusCode());
        assertEquals("MANIFEST_UNKNOWN", errorCode(gone));
        assertEquals(0, json(api.get("/v2/j/app/tags/list")).path("tags").size());

        JsonNode deleted = json(api.get("/admin/repositories/j/app/deleted-tags"));
        assertEquals("j/app", deleted.path("repository").asText());
        JsonNode entry = deleted.path("deletedTags").path(0);
        assertEquals("v1", entry.path("tag").asText());
        assertEquals(digest.toString(), entry.path("digest").asText());
        assertEquals("anonymous", entry.path("deletedBy").asText());
        assertTrue(entry.path("restorable").asBoolean());
        assertEquals(0, entry.path("missingBlobs").size());
        assertTrue(entry.path("deletedAt").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));

        HttpResponse<byte[]> undelete = api.send("POST", "/admin/repositories/j/app/tags/v1/undelete", null);
        assertEquals(200, undelete.statusCode());
        assertEquals(digest.toString(), json(undelete).path("digest").asText());
        assertEquals("v1", json(undelete).path("tag").asText());
        HttpResponse<byte[]> back = api.get("/v2/j/app/manifests/v1");
        assertEquals(200, back.statusCode());
        assertArrayEquals(manifest, back.body());
        assertEquals(0, json(api.get("/admin/repositories/j/app/deleted-tags")).path("deletedTags").size());
    }

    @Test
    void historyListsEveryEventNewestFirst() throws Exception {
        Digest first = api.pushImage("j/history", "v1", 41);
        Digest second = api.pushImage("j/history", "v1", 42);
        api.send("DELETE", "/v2/j/history/manifests/v1", null);
        JsonNode history = json(api.get("/admin/repositories/j/history/tags/v1/history"));
        List<String> types = new ArrayList<>();
        history.path("events").forEach(event -> types.add(event.path("type").asText()));
        assertEquals(List.of("deleted", "moved", "pushed"), types);
        JsonNode moved = history.path("events").path(1);
        assertEquals(second.toString(), moved.path("digest").asText());
        assertEquals(first.toString(), moved.path("previousDigest").asText());
        assertTrue(history.path("events").path(2).path("previousDigest").isNull());

        HttpResponse<byte[]> unknown = api.get("/admin/repositories/j/history/tags/never/history");
        assertEquals(404, unknown.statusCode());
        assertEquals("TAG_UNKNOWN", errorCode(unknown));
    }

    @Test
    void anEarlierDigestCanBeRestoredAndALiveTagRolledBackOnlyWithForce() throws Exception {
        Digest first = api.pushImage("j/rollback", "v1", 43);
        Digest second = api.pushImage("j/rollback", "v1", 44);
        HttpResponse<byte[]> live = api.send("POST", "/admin/repositories/j/rollback/tags/v1/undelete?digest=" + first, null);
        assertEquals(409, live.statusCode());
        assertEquals("TAG_EXISTS", errorCode(live));
        assertEquals(second, api.tagDigest("j/rollback", "v1"));

        HttpResponse<byte[]> forced = api.send("POST", "/admin/repositories/j/rollback/tags/v1/undelete?digest=" + first + "&force=true", null);
        assertEquals(200, forced.statusCode());
        assertEquals(second.toString(), json(forced).path("previousDigest").asText());
        assertEquals(first, api.tagDigest("j/rollback", "v1"));
        JsonNode restored = json(api.get("/admin/repositories/j/rollback/tags/v1/history")).path("events").path(0);
        assertEquals("restored", restored.path("type").asText());
        assertEquals(second.toString(), restored.path("previousDigest").asText());

        HttpResponse<byte[]> stranger = api.send("POST", "/admin/repositories/j/rollback/tags/v1/undelete?digest="
                + Digest.sha256(new byte[]{1}) + "&force=true", null);
        assertEquals(404, stranger.statusCode());
        HttpResponse<byte[]> never = api.send("POST", "/admin/repositories/j/rollback/tags/nope/undelete", null);
        assertEquals(404, never.statusCode());
        assertEquals("TAG_UNKNOWN", errorCode(never));
    }

    @Test
    void undeleteWithContentGoneIsContentMissingNamingEachBlobAndChangesNothing() throws Exception {
        byte[] config = "{\"os\":\"linux\",\"missing\":true}".getBytes();
        byte[] layer = OciApi.randomBytes(3000, 45);
        Digest configDigest = api.pushBlob("j/missing", config);
        Digest layerDigest = api.pushBlob("j/missing", layer);
        byte[] manifest = OciApi.imageManifest(config, List.of(layer), null, 0);
        assertEquals(201, api.send("PUT", "/v2/j/missing/manifests/v1", manifest, "Content-Type", OCI_MANIFEST).statusCode());
        api.send("DELETE", "/v2/j/missing/manifests/v1", null);
        // What a garbage collection after the retention window would do to the layer's bytes.
        Path blobFile = registry.dataDir().resolve("blobs/sha256").resolve(layerDigest.hex().substring(0, 2)).resolve(layerDigest.hex());
        Files.delete(blobFile);

        JsonNode listed = json(api.get("/admin/repositories/j/missing/deleted-tags")).path("deletedTags").path(0);
        assertFalse(listed.path("restorable").asBoolean());
        assertEquals(layerDigest.toString(), listed.path("missingBlobs").path(0).asText());

        HttpResponse<byte[]> refused = api.send("POST", "/admin/repositories/j/missing/tags/v1/undelete", null);
        assertEquals(409, refused.statusCode());
        assertEquals("CONTENT_MISSING", errorCode(refused));
        JsonNode missing = json(refused).path("errors").path(0).path("detail").path("missingBlobs");
        assertEquals(1, missing.size());
        assertEquals(layerDigest.toString(), missing.path(0).asText());
        assertEquals(404, api.get("/v2/j/missing/manifests/v1").statusCode(), "nothing changed");
        assertEquals(1, json(api.get("/admin/repositories/j/missing/deleted-tags")).path("deletedTags").size());
        assertTrue(Files.exists(registry.dataDir().resolve("blobs/sha256").resolve(configDigest.hex().substring(0, 2))));
    }

    @Test
    void aDeletedManifestComesBackWithItsTags() throws Exception {
        Digest digest = api.pushImage("j/manifest", "v1", 46);
        byte[] manifest = api.get("/v2/j/manifest/manifests/v1").body();
        api.send("PUT", "/v2/j/manifest/manifests/stable", manifest, "Content-Type", OCI_MANIFEST);
        assertEquals(202, api.send("DELETE", "/v2/j/manifest/manifests/" + digest, null).statusCode());
        assertEquals(404, api.get("/v2/j/manifest/manifests/" + digest).statusCode());
        assertEquals(404, api.get("/v2/j/manifest/manifests/stable").statusCode());

        JsonNode deleted = json(api.get("/admin/repositories/j/manifest/deleted-manifests")).path("deletedManifests").path(0);
        assertEquals(digest.toString(), deleted.path("digest").asText());
        assertEquals("[\"stable\",\"v1\"]", deleted.path("tags").toString());
        assertEquals(2, json(api.get("/admin/repositories/j/manifest/deleted-tags")).path("deletedTags").size());

        HttpResponse<byte[]> undelete = api.send("POST", "/admin/repositories/j/manifest/manifests/" + digest + "/undelete", null);
        assertEquals(200, undelete.statusCode());
        assertEquals("[\"stable\",\"v1\"]", json(undelete).path("restoredTags").toString());
        assertArrayEquals(manifest, api.get("/v2/j/manifest/manifests/v1").body());
        assertArrayEquals(manifest, api.get("/v2/j/manifest/manifests/stable").body());
        assertEquals(0, json(api.get("/admin/repositories/j/manifest/deleted-manifests")).path("deletedManifests").size());
    }

    @Test
    void aDeletedReferrerDisappearsFromTheReferrersList() throws Exception {
        Digest subject = api.pushImage("j/refs", "v1", 47);
        byte[] empty = "{}".getBytes();
        api.pushBlob("j/refs", empty);
        String artifact = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"artifactType\":\"application/x\","
                + "\"config\":" + OciApi.descriptor("application/vnd.oci.empty.v1+json", empty) + ",\"layers\":[],"
                + "\"subject\":{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + subject + "\",\"size\":1}}";
        Digest artifactDigest = Digest.sha256(artifact.getBytes());
        api.send("PUT", "/v2/j/refs/manifests/" + artifactDigest, artifact.getBytes(), "Content-Type", OCI_MANIFEST);
        assertEquals(1, json(api.get("/v2/j/refs/referrers/" + subject)).path("manifests").size());
        api.send("DELETE", "/v2/j/refs/manifests/" + artifactDigest, null);
        assertEquals(0, json(api.get("/v2/j/refs/referrers/" + subject)).path("manifests").size());
    }
}
