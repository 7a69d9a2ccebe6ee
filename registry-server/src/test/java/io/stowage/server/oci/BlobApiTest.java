package io.stowage.server.oci;

import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.Arrays;

import static io.stowage.server.OciApi.errorCode;
import static io.stowage.server.OciApi.randomBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BlobApiTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry();
    private final OciApi api = new OciApi(registry);

    @Test
    void headDescribesTheBlobWithoutABody() throws Exception {
        byte[] blob = randomBytes(12_345, 10);
        Digest digest = api.pushBlob("blobs/head", blob);
        HttpResponse<byte[]> head = api.send("HEAD", "/v2/blobs/head/blobs/" + digest, null);
        assertEquals(200, head.statusCode());
        assertEquals("12345", head.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(digest.toString(), head.headers().firstValue("Docker-Content-Digest").orElseThrow());
        assertEquals("\"" + digest + "\"", head.headers().firstValue("ETag").orElseThrow());
        assertEquals(0, head.body().length);
    }

    @Test
    void rangeRequestsReturnPartialContent() throws Exception {
        byte[] blob = randomBytes(10_000, 11);
        Digest digest = api.pushBlob("blobs/range", blob);
        HttpResponse<byte[]> partial = api.get("/v2/blobs/range/blobs/" + digest, "Range", "bytes=100-199");
        assertEquals(206, partial.statusCode());
        assertEquals("bytes 100-199/10000", partial.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(blob, 100, 200), partial.body());

        HttpResponse<byte[]> suffix = api.get("/v2/blobs/range/blobs/" + digest, "Range", "bytes=-10");
        assertArrayEquals(Arrays.copyOfRange(blob, 9_990, 10_000), suffix.body());

        HttpResponse<byte[]> beyond = api.get("/v2/blobs/range/blobs/" + digest, "Range", "bytes=20000-");
        assertEquals(416, beyond.statusCode());
    }

    @Test
    void unknownBlobIs404BlobUnknownAndBadDigestIs400() throws Exception {
        HttpResponse<byte[]> missing = api.get("/v2/blobs/none/blobs/" + Digest.sha256(new byte[]{42}));
        assertEquals(404, missing.statusCode());
        assertEquals("BLOB_UNKNOWN", errorCode(missing));
        HttpResponse<byte[]> bad = api.get("/v2/blobs/none/blobs/sha256:xyz");
        assertEquals(400, bad.statusCode());
        assertEquals("DIGEST_INVALID", errorCode(bad));
        HttpResponse<byte[]> unsupported = api.get("/v2/blobs/none/blobs/md5:d41d8cd98f00b204e9800998ecf8427e");
        assertEquals(400, unsupported.statusCode());
    }

    @Test
    void blobsAreVisibleOnlyInTheirRepository() throws Exception {
        Digest digest = api.pushBlob("blobs/mine", randomBytes(100, 12));
        assertEquals(404, api.send("HEAD", "/v2/blobs/yours/blobs/" + digest, null).statusCode());
    }

    @Test
    void deleteUnlinksTheBlob() throws Exception {
        Digest digest = api.pushBlob("blobs/delete", randomBytes(100, 13));
        assertEquals(202, api.send("DELETE", "/v2/blobs/delete/blobs/" + digest, null).statusCode());
        assertEquals(404, api.send("HEAD", "/v2/blobs/delete/blobs/" + digest, null).statusCode());
        HttpResponse<byte[]> again = api.send("DELETE", "/v2/blobs/delete/blobs/" + digest, null);
        assertEquals(404, again.statusCode());
        assertEquals("BLOB_UNKNOWN", errorCode(again));
    }

    @Test
    void sha512BlobsAreSupported() throws Exception {
        byte[] blob = randomBytes(777, 14);
        Digest digest = Digest.of(Digest.Algorithm.SHA512, blob);
        assertEquals(201, api.send("POST", "/v2/blobs/sha512/blobs/uploads/?digest=" + digest, blob).statusCode());
        assertArrayEquals(blob, api.get("/v2/blobs/sha512/blobs/" + digest).body());
    }
}
