package io.stowage.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.stowage.recovery.reimport.ContentSource;
import io.stowage.recovery.reimport.RegistrySource;
import io.stowage.recovery.reimport.SourceException;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.server.access.AuthFixture;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.Reference;
import io.stowage.storage.registry.RegistryService;
import io.stowage.storage.registry.UploadWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RegistrySource} against real Stowage servers on loopback that demand Basic and Bearer
 * token sign-in, and a re-import through the admin API of a third one from them.
 */
class RegistrySourceTest {
    @RegisterExtension
    static final TestRegistry basic = new TestRegistry(AuthFixture.mode("basic"));
    @RegisterExtension
    static final TestRegistry token = new TestRegistry(AuthFixture.mode("token"));
    @RegisterExtension
    static final TestRegistry target = new TestRegistry();

    private static final byte[] CONFIG = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] LAYER = OciApi.randomBytes(300_000, 5);
    private static final byte[] MANIFEST = OciApi.imageManifest(CONFIG, List.of(LAYER), null, 0);
    private static final Digest DIGEST = Digest.sha256(MANIFEST);

    @BeforeAll
    static void seedSources() throws Exception {
        for (TestRegistry source : List.of(basic, token)) {
            RegistryService service = source.registry().service();
            push(service, CONFIG);
            push(service, LAYER);
            service.putManifest("team/app", Reference.ofTag("v1"), OciApi.OCI_MANIFEST, MANIFEST, List.of(), "seed");
        }
    }

    @Test
    void basicAuthWithTheRightPasswordFetchesManifestAndBlob() throws Exception {
        try (RegistrySource source = source(basic, "puller")) {
            ContentSource.SourceManifest manifest = source.manifest("team/app", Reference.ofTag("v1"), 1 << 20);
            assertArrayEquals(MANIFEST, manifest.content());
            assertEquals(OciApi.OCI_MANIFEST, manifest.mediaType());
            try (ContentSource.SourceBlob blob = source.blob("team/app", Digest.sha256(LAYER));
                 InputStream in = blob.stream()) {
                assertEquals(LAYER.length, blob.size());
                assertArrayEquals(LAYER, in.readAllBytes());
            }
        }
    }

    @Test
    void bearerTokensAreFetchedFromTheRealmTheChallengeNames() throws Exception {
        try (RegistrySource source = source(token, "puller")) {
            assertArrayEquals(MANIFEST, source.manifest("team/app", Reference.ofDigest(DIGEST), 1 << 20).content());
            try (ContentSource.SourceBlob blob = source.blob("team/app", Digest.sha256(CONFIG))) {
                assertArrayEquals(CONFIG, blob.stream().readAllBytes());
            }
        }
    }

    @Test
    void refusalsAndAbsenceAreNamedWithoutCredentials() {
        try (RegistrySource wrong = new RegistrySource(uri(basic), "puller", "nope".toCharArray(), Duration.ofSeconds(10));
             RegistrySource anonymous = new RegistrySource(uri(basic), null, null, Duration.ofSeconds(10));
             RegistrySource noGrant = source(token, "nobody");
             RegistrySource right = source(basic, "puller")) {
            SourceException refused = assertThrows(SourceException.class,
                    () -> wrong.manifest("team/app", Reference.ofTag("v1"), 1 << 20));
            assertTrue(refused.getMessage().contains("refused"), refused.getMessage());
            assertTrue(!refused.getMessage().contains("nope"), "no password in messages");
            SourceException asks = assertThrows(SourceException.class,
                    () -> anonymous.manifest("team/app", Reference.ofTag("v1"), 1 << 20));
            assertTrue(asks.getMessage().contains("asks for a user and password"), asks.getMessage());
            assertThrows(SourceException.class, () -> noGrant.manifest("team/app", Reference.ofTag("v1"), 1 << 20));
            SourceException absent = assertThrows(SourceException.class,
                    () -> right.manifest("team/app", Reference.ofTag("nope"), 1 << 20));
            assertTrue(absent.notFound(), absent.getMessage());
            SourceException tooBig = assertThrows(SourceException.class,
                    () -> right.manifest("team/app", Reference.ofTag("v1"), 10));
            assertTrue(tooBig.getMessage().contains("larger than 10"), tooBig.getMessage());
        }
    }

    @Test
    void theAdminApiReimportsFromATokenRegistryWithTheSourcePassword() throws Exception {
        OciApi api = new OciApi(target);
        Map<String, Object> body = Map.of("repository", "mirror/app", "tag", "v1",
                "from", "http://127.0.0.1:" + token.registry().address().getPort() + "/team/app",
                "sourceUser", "puller", "sourcePassword", AuthFixture.password("puller"), "restore", true);
        HttpResponse<byte[]> answer = api.send("POST", "/admin/recovery/reimport", OciApi.JSON.writeValueAsBytes(body),
                "Content-Type", "application/json");
        assertEquals(200, answer.statusCode(), () -> new String(answer.body(), StandardCharsets.UTF_8));
        JsonNode report = OciApi.json(answer);
        assertEquals("complete", report.path("outcome").asText(), report.toString());
        assertEquals("source", report.path("digestFrom").asText());
        assertEquals(3, report.path("imported").size());
        assertEquals(LAYER.length + CONFIG.length + MANIFEST.length, report.path("bytes").asLong());
        assertTrue(report.path("source").asText().startsWith("registry http://127.0.0.1:"));
        assertEquals(DIGEST, api.tagDigest("mirror/app", "v1"));
        assertArrayEquals(LAYER, api.get("/v2/mirror/app/blobs/" + Digest.sha256(LAYER)).body());
        String audit = new String(api.get("/admin/audit?repository=mirror/app").body(), StandardCharsets.UTF_8);
        assertTrue(!audit.contains(AuthFixture.password("puller")), "the source password never reaches the audit log");
    }

    private static RegistrySource source(TestRegistry registry, String user) {
        return new RegistrySource(uri(registry), user, AuthFixture.password(user).toCharArray(), Duration.ofSeconds(10));
    }

    private static URI uri(TestRegistry registry) {
        return URI.create("http://127.0.0.1:" + registry.registry().address().getPort());
    }

    private static void push(RegistryService service, byte[] content) throws Exception {
        String id = service.startUpload("team/app").uploadId();
        try (UploadWriter writer = service.openUpload("team/app", id)) {
            writer.append(ByteBuffer.wrap(content));
            writer.complete(Digest.sha256(content));
        }
    }
}
