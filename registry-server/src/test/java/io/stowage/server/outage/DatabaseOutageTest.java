package io.stowage.server.outage;

import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.storage.meta.PostgresServer;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static io.stowage.server.outage.OutageAnswers.assertUnavailable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL goes away under a running registry and comes back: requests that need it get a clean
 * 503 {@code UNAVAILABLE} naming the metadata database, within the pool's connection timeout (never a
 * 500, never a hang), nothing is half-written, and once the database is back the same requests
 * succeed without a restart (once the pool has a new connection: seconds). The outage is real: the database's port stops accepting and every
 * pooled connection is reset.
 */
class DatabaseOutageTest {
    private static SwitchableTcpProxy link;

    @RegisterExtension
    static final TestRegistry registry = new TestRegistry(config -> {
        PostgresServer.Database database = PostgresServer.shared().createDatabase();
        URI url = URI.create(database.jdbcUrl().substring("jdbc:".length()));
        try {
            link = SwitchableTcpProxy.start(url.getPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config.metadata.backend = "postgres";
        config.metadata.postgres.url = "jdbc:postgresql://127.0.0.1:" + link.port() + url.getRawPath();
        config.metadata.postgres.user = database.user();
        config.metadata.postgres.password = database.password();
        config.metadata.postgres.connectionTimeout = Duration.ofSeconds(1);
    });

    private final OciApi api = new OciApi(registry);

    @AfterAll
    static void closeLink() throws IOException {
        if (link != null) {
            link.close();
        }
    }

    @Test
    void outageAnswers503AndTheRegistryRecoversOnItsOwn() throws Exception {
        Digest before = api.pushImage("team/app", "v1", 5);

        link.cut();
        try {
            long started = System.nanoTime();
            HttpResponse<byte[]> manifest = api.get("/v2/team/app/manifests/v1", "Accept", OciApi.OCI_MANIFEST);
            assertUnavailable(manifest, "metadata database");
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(15).toNanos(), "fails fast, no hang");

            byte[] config = "{\"outage\":true}".getBytes(StandardCharsets.UTF_8);
            HttpResponse<byte[]> push = api.send("POST", "/v2/team/app/blobs/uploads/?digest=" + Digest.sha256(config),
                    config, "Content-Type", "application/octet-stream");
            assertUnavailable(push, "metadata database");
            assertUnavailable(api.send("DELETE", "/v2/team/app/manifests/v1", null), "metadata database");
            assertEquals(503, api.get("/readyz").statusCode());
        } finally {
            link.restore();
        }

        // The pool makes new connections on its own; its retries back off to a few seconds apart.
        long restored = System.nanoTime();
        while (api.get("/readyz").statusCode() != 200) {
            assertTrue(System.nanoTime() - restored < Duration.ofSeconds(20).toNanos(), "ready again within 20 s");
            Thread.sleep(200);
        }
        assertEquals(before, api.tagDigest("team/app", "v1"), "the delete refused during the outage changed nothing");
        api.pushImage("team/app", "v2", 6);
        assertEquals(200, api.get("/v2/team/app/manifests/v2", "Accept", OciApi.OCI_MANIFEST).statusCode());
    }
}
