package io.stowage.server.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.stowage.server.OciApi.OCI_MANIFEST;
import static io.stowage.server.OciApi.errorCode;
import static io.stowage.server.OciApi.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiscoveryApiTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry();
    private final OciApi api = new OciApi(registry);

    @Test
    void baseEndpointAnswersWithApiVersion() throws Exception {
        HttpResponse<byte[]> response = api.get("/v2/");
        assertEquals(200, response.statusCode());
        assertEquals("registry/2.0", response.headers().firstValue("Docker-Distribution-API-Version").orElseThrow());
    }

    @Test
    void tagsAreSortedAndPaginatedWithLinkHeaders() throws Exception {
        Digest digest = api.pushImage("d/tags", "t00", 30);
        byte[] manifest = api.get("/v2/d/tags/manifests/" + digest).body();
        for (int i = 24; i >= 1; i--) {
            api.send("PUT", "/v2/d/tags/manifests/" + String.format("t%02d", i), manifest, "Content-Type", OCI_MANIFEST);
        }
        List<String> all = new ArrayList<>();
        String next = "/v2/d/tags/tags/list?n=10";
        int pages = 0;
        while (next != null && pages++ < 10) {
            HttpResponse<byte[]> page = api.get(next);
            assertEquals(200, page.statusCode());
            json(page).path("tags").forEach(tag -> all.add(tag.asText()));
            next = page.headers().firstValue("Link").map(link -> link.substring(1, link.indexOf('>'))).orElse(null);
        }
        assertEquals(3, pages);
        assertEquals(25, all.size());
        List<String> sorted = new ArrayList<>(all);
        sorted.sort(null);
        assertEquals(sorted, all);
        assertEquals("t00", all.get(0));

        JsonNode everything = json(api.get("/v2/d/tags/tags/list"));
        assertEquals("d/tags", everything.path("name").asText());
        assertEquals(25, everything.path("tags").size());
        assertEquals(0, json(api.get("/v2/d/tags/tags/list?n=0")).path("tags").size());
    }

    @Test
    void tagsOfUnknownRepositoryIsNameUnknownAndBadPageSizeIsRejected() throws Exception {
        HttpResponse<byte[]> unknown = api.get("/v2/d/nothing/tags/list");
        assertEquals(404, unknown.statusCode());
        assertEquals("NAME_UNKNOWN", errorCode(unknown));
        api.pushImage("d/badn", "v1", 31);
        HttpResponse<byte[]> bad = api.get("/v2/d/badn/tags/list?n=-1");
        assertEquals(400, bad.statusCode());
        assertEquals("PAGINATION_NUMBER_INVALID", errorCode(bad));
    }

    @Test
    void catalogListsRepositoriesInOrderWithPagination() throws Exception {
        api.pushImage("cat/b", "v1", 32);
        api.pushImage("cat/a", "v1", 33);
        api.pushImage("cat/c/nested", "v1", 34);
        List<String> names = new ArrayList<>();
        json(api.get("/v2/_catalog")).path("repositories").forEach(name -> names.add(name.asText()));
        assertTrue(names.indexOf("cat/a") < names.indexOf("cat/b"));
        assertTrue(names.indexOf("cat/b") < names.indexOf("cat/c/nested"));
        HttpResponse<byte[]> first = api.get("/v2/_catalog?n=1");
        assertEquals(1, json(first).path("repositories").size());
        assertTrue(first.headers().firstValue("Link").orElseThrow().contains("rel=\"next\""));
    }

    @Test
    void referrersListsArtifactsAndFiltersByArtifactType() throws Exception {
        Digest subject = api.pushImage("d/refs", "v1", 35);
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        api.pushBlob("d/refs", empty);
        for (String type : List.of("application/vnd.example.sbom", "application/vnd.example.signature")) {
            String artifact = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"artifactType\":\"" + type + "\","
                    + "\"config\":" + OciApi.descriptor("application/vnd.oci.empty.v1+json", empty) + ",\"layers\":[],"
                    + "\"subject\":{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + subject + "\",\"size\":1},"
                    + "\"annotations\":{\"kind\":\"" + type + "\"}}";
            byte[] bytes = artifact.getBytes(StandardCharsets.UTF_8);
            assertEquals(201, api.send("PUT", "/v2/d/refs/manifests/" + Digest.sha256(bytes), bytes, "Content-Type", OCI_MANIFEST).statusCode());
        }
        HttpResponse<byte[]> all = api.get("/v2/d/refs/referrers/" + subject);
        assertEquals(200, all.statusCode());
        assertEquals("application/vnd.oci.image.index.v1+json", all.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(2, json(all).path("manifests").size());
        assertFalse(all.headers().firstValue("OCI-Filters-Applied").isPresent());

        HttpResponse<byte[]> filtered = api.get("/v2/d/refs/referrers/" + subject + "?artifactType=application/vnd.example.sbom");
        JsonNode manifests = json(filtered).path("manifests");
        assertEquals(1, manifests.size());
        assertEquals("application/vnd.example.sbom", manifests.path(0).path("artifactType").asText());
        assertEquals("application/vnd.example.sbom", manifests.path(0).path("annotations").path("kind").asText());
        assertEquals("artifactType", filtered.headers().firstValue("OCI-Filters-Applied").orElseThrow());

        HttpResponse<byte[]> none = api.get("/v2/d/refs/referrers/" + Digest.sha256(new byte[]{5}));
        assertEquals(200, none.statusCode());
        assertEquals(0, json(none).path("manifests").size());
    }
}
