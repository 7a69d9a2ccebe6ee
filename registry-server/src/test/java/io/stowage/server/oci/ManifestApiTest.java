package io.stowage.server.oci;

import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.stowage.server.OciApi.OCI_INDEX;
import static io.stowage.server.OciApi.OCI_MANIFEST;
import static io.stowage.server.OciApi.errorCode;
import static io.stowage.server.OciApi.randomBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ManifestApiTest {
    private static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

    @RegisterExtension
    static final TestRegistry registry = new TestRegistry();
    private final OciApi api = new OciApi(registry);

    @Test
    void manifestRoundTripsByteForByteByTagAndDigest() throws Exception {
        byte[] config = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = randomBytes(2048, 20);
        api.pushBlob("m/app", config);
        api.pushBlob("m/app", layer);
        // Odd whitespace on purpose: the registry must keep the exact bytes.
        byte[] manifest = new String(OciApi.imageManifest(config, List.of(layer), null, 0), StandardCharsets.UTF_8)
                .replace(",", " ,\n ").getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(manifest);
        HttpResponse<byte[]> put = api.send("PUT", "/v2/m/app/manifests/v1", manifest, "Content-Type", OCI_MANIFEST);
        assertEquals(201, put.statusCode());
        assertEquals(digest.toString(), put.headers().firstValue("Docker-Content-Digest").orElseThrow());
        assertEquals("/v2/m/app/manifests/" + digest, put.headers().firstValue("Location").orElseThrow());

        for (String reference : List.of("v1", digest.toString())) {
            HttpResponse<byte[]> get = api.get("/v2/m/app/manifests/" + reference, "Accept", OCI_MANIFEST);
            assertEquals(200, get.statusCode());
            assertArrayEquals(manifest, get.body());
            assertEquals(OCI_MANIFEST, get.headers().firstValue("Content-Type").orElseThrow());
            assertEquals(digest.toString(), get.headers().firstValue("Docker-Content-Digest").orElseThrow());
            HttpResponse<byte[]> head = api.send("HEAD", "/v2/m/app/manifests/" + reference, null);
            assertEquals(200, head.statusCode());
            assertEquals(String.valueOf(manifest.length), head.headers().firstValue("Content-Length").orElseThrow());
        }
    }

    /** Repeated GETs are answered from the manifest cache on the network thread: never stale. */
    @Test
    void repeatedGetsFollowEveryChangeOfTheTag() throws Exception {
        Digest first = api.pushImage("m/hot", "latest", 30);
        for (int i = 0; i < 3; i++) {
            HttpResponse<byte[]> get = api.get("/v2/m/hot/manifests/latest", "Accept", OCI_MANIFEST);
            assertEquals(200, get.statusCode());
            assertEquals(first.toString(), get.headers().firstValue("Docker-Content-Digest").orElseThrow());
            assertEquals(first, Digest.sha256(get.body()));
        }
        HttpResponse<byte[]> wrongType = api.get("/v2/m/hot/manifests/latest", "Accept", OCI_INDEX);
        assertEquals(404, wrongType.statusCode(), "a cached manifest still obeys Accept");
        assertEquals("MANIFEST_UNKNOWN", errorCode(wrongType));
        HttpResponse<byte[]> head = api.send("HEAD", "/v2/m/hot/manifests/latest", null);
        assertEquals(200, head.statusCode());
        assertEquals(0, head.body().length);

        Digest second = api.pushImage("m/hot", "latest", 31);
        assertEquals(second.toString(), api.get("/v2/m/hot/manifests/latest").headers()
                .firstValue("Docker-Content-Digest").orElseThrow(), "the moved tag, not the cached one");
        assertEquals(200, api.get("/v2/m/hot/manifests/" + first).statusCode());

        assertEquals(202, api.send("DELETE", "/v2/m/hot/manifests/latest", null).statusCode());
        assertEquals(404, api.get("/v2/m/hot/manifests/latest").statusCode());
        assertEquals(202, api.send("DELETE", "/v2/m/hot/manifests/" + first, null).statusCode());
        assertEquals(404, api.get("/v2/m/hot/manifests/" + first).statusCode());
        assertEquals(404, api.get("/v2/m/other/manifests/" + second).statusCode(), "cached per repository");
    }

    @Test
    void manifestWithUnknownLayerIsManifestBlobUnknown() throws Exception {
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        api.pushBlob("m/missing", config);
        byte[] manifest = OciApi.imageManifest(config, List.of(randomBytes(10, 21)), null, 0);
        HttpResponse<byte[]> put = api.send("PUT", "/v2/m/missing/manifests/v1", manifest, "Content-Type", OCI_MANIFEST);
        assertEquals(400, put.statusCode());
        assertEquals("MANIFEST_BLOB_UNKNOWN", errorCode(put));
        assertEquals(404, api.get("/v2/m/missing/manifests/v1").statusCode());
    }

    @Test
    void invalidManifestsAreManifestInvalid() throws Exception {
        for (String body : List.of("not json", "[]", "{\"schemaVersion\":2}", "{\"schemaVersion\":1,\"layers\":[]}",
                "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"digest\":\"sha256:zz\",\"size\":1,\"mediaType\":\"x\"},\"layers\":[]}")) {
            HttpResponse<byte[]> put = api.send("PUT", "/v2/m/invalid/manifests/v1", body.getBytes(StandardCharsets.UTF_8),
                    "Content-Type", OCI_MANIFEST);
            assertEquals(400, put.statusCode(), body);
            assertEquals("MANIFEST_INVALID", errorCode(put), body);
        }
    }

    @Test
    void contentTypeMustMatchTheDeclaredMediaType() throws Exception {
        Digest image = api.pushImage("m/ctype", "base", 22);
        byte[] manifest = api.get("/v2/m/ctype/manifests/" + image).body();
        HttpResponse<byte[]> put = api.send("PUT", "/v2/m/ctype/manifests/v2", manifest, "Content-Type", OCI_INDEX);
        assertEquals(400, put.statusCode());
        assertEquals("MANIFEST_INVALID", errorCode(put));
    }

    @Test
    void putByDigestChecksTheDigestAndAppliesTagParameters() throws Exception {
        Digest image = api.pushImage("m/bydigest", "seed", 23);
        byte[] manifest = api.get("/v2/m/bydigest/manifests/" + image).body();
        HttpResponse<byte[]> wrong = api.send("PUT", "/v2/m/bydigest/manifests/" + Digest.sha256(new byte[]{9}), manifest,
                "Content-Type", OCI_MANIFEST);
        assertEquals(400, wrong.statusCode());
        assertEquals("DIGEST_INVALID", errorCode(wrong));
        HttpResponse<byte[]> tagged = api.send("PUT", "/v2/m/bydigest/manifests/" + image + "?tag=a&tag=b", manifest,
                "Content-Type", OCI_MANIFEST);
        assertEquals(201, tagged.statusCode());
        assertEquals(200, api.get("/v2/m/bydigest/manifests/a").statusCode());
        assertEquals(200, api.get("/v2/m/bydigest/manifests/b").statusCode());
    }

    @Test
    void indexNeedsItsChildrenAndDockerTypesWork() throws Exception {
        Digest child = api.pushImage("m/index", "amd64", 24);
        byte[] childBytes = api.get("/v2/m/index/manifests/" + child).body();
        String missing = Digest.sha256(new byte[]{1, 2, 3}).toString();
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":["
                + OciApi.descriptor(OCI_MANIFEST, childBytes) + "]}";
        assertEquals(201, api.send("PUT", "/v2/m/index/manifests/multi", index.getBytes(StandardCharsets.UTF_8),
                "Content-Type", OCI_INDEX).statusCode());
        String broken = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                + OCI_MANIFEST + "\",\"digest\":\"" + missing + "\",\"size\":3}]}";
        HttpResponse<byte[]> put = api.send("PUT", "/v2/m/index/manifests/broken", broken.getBytes(StandardCharsets.UTF_8),
                "Content-Type", OCI_INDEX);
        assertEquals("MANIFEST_BLOB_UNKNOWN", errorCode(put));

        byte[] config = "{\"docker\":true}".getBytes(StandardCharsets.UTF_8);
        api.pushBlob("m/index", config);
        String docker = "{\"schemaVersion\":2,\"mediaType\":\"" + DOCKER_MANIFEST + "\",\"config\":"
                + OciApi.descriptor("application/vnd.docker.container.image.v1+json", config) + ",\"layers\":[]}";
        assertEquals(201, api.send("PUT", "/v2/m/index/manifests/docker", docker.getBytes(StandardCharsets.UTF_8),
                "Content-Type", DOCKER_MANIFEST).statusCode());
        String list = "{\"schemaVersion\":2,\"mediaType\":\"" + DOCKER_LIST + "\",\"manifests\":["
                + OciApi.descriptor(DOCKER_MANIFEST, docker.getBytes(StandardCharsets.UTF_8)) + "]}";
        assertEquals(201, api.send("PUT", "/v2/m/index/manifests/list", list.getBytes(StandardCharsets.UTF_8),
                "Content-Type", DOCKER_LIST).statusCode());
        HttpResponse<byte[]> got = api.get("/v2/m/index/manifests/list", "Accept", DOCKER_LIST);
        assertEquals(DOCKER_LIST, got.headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void acceptHeaderWithoutTheStoredTypeIsManifestUnknown() throws Exception {
        api.pushImage("m/accept", "v1", 25);
        HttpResponse<byte[]> response = api.get("/v2/m/accept/manifests/v1", "Accept", DOCKER_MANIFEST);
        assertEquals(404, response.statusCode());
        assertEquals("MANIFEST_UNKNOWN", errorCode(response));
        assertEquals(200, api.get("/v2/m/accept/manifests/v1", "Accept", DOCKER_MANIFEST + ", " + OCI_MANIFEST).statusCode());
    }

    @Test
    void artifactWithSubjectGetsOciSubjectHeader() throws Exception {
        Digest subject = api.pushImage("m/subject", "v1", 26);
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        api.pushBlob("m/subject", config);
        String artifact = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"artifactType\":\"application/vnd.example.sbom\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + Digest.sha256(config)
                + "\",\"size\":2},\"layers\":[],\"subject\":{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + subject
                + "\",\"size\":100}}";
        HttpResponse<byte[]> put = api.send("PUT", "/v2/m/subject/manifests/" + Digest.sha256(artifact.getBytes(StandardCharsets.UTF_8)),
                artifact.getBytes(StandardCharsets.UTF_8), "Content-Type", OCI_MANIFEST);
        assertEquals(201, put.statusCode());
        assertEquals(subject.toString(), put.headers().firstValue("OCI-Subject").orElseThrow());
    }

    @Test
    void deleteByTagKeepsTheManifestAndDeleteByDigestRemovesItsTags() throws Exception {
        Digest digest = api.pushImage("m/delete", "v1", 27);
        api.send("PUT", "/v2/m/delete/manifests/v2", api.get("/v2/m/delete/manifests/v1").body(), "Content-Type", OCI_MANIFEST);
        assertEquals(202, api.send("DELETE", "/v2/m/delete/manifests/v1", null).statusCode());
        assertEquals(404, api.get("/v2/m/delete/manifests/v1").statusCode());
        assertEquals(200, api.get("/v2/m/delete/manifests/" + digest).statusCode());
        assertEquals(202, api.send("DELETE", "/v2/m/delete/manifests/" + digest, null).statusCode());
        HttpResponse<byte[]> gone = api.get("/v2/m/delete/manifests/v2");
        assertEquals(404, gone.statusCode());
        assertEquals("MANIFEST_UNKNOWN", errorCode(gone));
        assertEquals(404, api.send("DELETE", "/v2/m/delete/manifests/" + digest, null).statusCode());
    }

    @Test
    void oversizedManifestIs413() throws Exception {
        byte[] huge = new byte[300 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        HttpResponse<byte[]> put = api.send("PUT", "/v2/m/huge/manifests/v1", huge, "Content-Type", OCI_MANIFEST);
        assertEquals(413, put.statusCode());
        assertEquals("SIZE_INVALID", errorCode(put));
    }
}
