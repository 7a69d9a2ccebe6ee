package io.stowage.server.postgres;

import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.server.cli.RegistryCommand;
import io.stowage.storage.meta.PostgresServer;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A registry whose metadata lives in PostgreSQL ({@code metadata.backend: postgres}) and whose blobs
 * stay on the filesystem: the OCI API, the journal's undelete and a restart, end to end.
 */
class PostgresMetadataApiTest {

    @RegisterExtension
    static final TestRegistry registry = new TestRegistry(config -> {
        PostgresServer.Database database = PostgresServer.shared().createDatabase();
        config.metadata.backend = "postgres";
        config.metadata.postgres.url = database.jdbcUrl();
        config.metadata.postgres.user = database.user();
        config.metadata.postgres.password = database.password();
        config.metadata.postgres.poolSize = 4;
    });

    private final OciApi api = new OciApi(registry);

    @Test
    void pushPullDeleteUndeleteAndRestartKeepEverythingInPostgres() throws Exception {
        Digest v1 = api.pushImage("team/app", "v1", 11);
        Digest v2 = api.pushImage("team/app", "v2", 12);
        HttpResponse<byte[]> pulled = api.get("/v2/team/app/manifests/v1", "Accept", OciApi.OCI_MANIFEST);
        assertEquals(200, pulled.statusCode());
        assertEquals(v1, Digest.sha256(pulled.body()));
        List<Digest> layers = new ArrayList<>();
        for (var layer : OciApi.json(pulled).path("layers")) {
            layers.add(Digest.parse(layer.path("digest").asText()));
        }
        byte[] layerBytes = api.get("/v2/team/app/blobs/" + layers.get(0)).body();
        assertEquals(layers.get(0), Digest.sha256(layerBytes));

        assertEquals(202, api.send("DELETE", "/v2/team/app/manifests/v1", null).statusCode());
        assertEquals(404, api.get("/v2/team/app/manifests/v1", "Accept", OciApi.OCI_MANIFEST).statusCode());
        HttpResponse<byte[]> undeleted = api.send("POST", "/admin/repositories/team/app/tags/v1/undelete", null);
        assertEquals(200, undeleted.statusCode(), () -> new String(undeleted.body(), StandardCharsets.UTF_8));
        assertEquals(v1.toString(), OciApi.json(undeleted).path("digest").asText());
        assertEquals(202, api.send("DELETE", "/v2/team/app/manifests/v2", null).statusCode());

        registry.restart();

        assertEquals(v1, api.tagDigest("team/app", "v1"));
        assertArrayEquals(pulled.body(), api.get("/v2/team/app/manifests/v1", "Accept", OciApi.OCI_MANIFEST).body());
        assertArrayEquals(layerBytes, api.get("/v2/team/app/blobs/" + layers.get(0)).body());
        assertEquals(404, api.get("/v2/team/app/manifests/v2", "Accept", OciApi.OCI_MANIFEST).statusCode(),
                "a deleted tag stays deleted");
        assertEquals("[\"v1\"]", OciApi.json(api.get("/v2/team/app/tags/list")).path("tags").toString());
        var history = OciApi.json(api.get("/admin/repositories/team/app/tags/v1/history")).path("events");
        assertEquals("restored,deleted,pushed", String.join(",", history.findValuesAsText("type")));
        assertEquals(v2.toString(), OciApi.json(api.get("/admin/repositories/team/app/tags/v2/history"))
                .path("events").path(0).path("digest").asText());
        assertFalse(Files.exists(registry.dataDir().resolve("registry.db")), "no SQLite database beside the blobs");
    }

    @Test
    void serveStopsAtOnceWithOneLineWhenTheDatabaseCannotBeReached(@TempDir Path dir) throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Path config = dir.resolve("registry.yml");
        Files.writeString(config, "http:\n  addr: 127.0.0.1:0\nmetadata:\n  backend: postgres\n  postgres:\n"
                + "    url: jdbc:postgresql://127.0.0.1:" + closedPort + "/registry\n    user: registry\n"
                + "    connectionTimeout: PT1S\naudit:\n  enabled: false\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        long started = System.nanoTime();
        int exit;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            exit = new CommandLine(new RegistryCommand()).execute("serve", "--config", config.toString(), "--data-dir", dir.resolve("data").toString());
        } finally {
            System.setErr(original);
        }
        String output = err.toString(StandardCharsets.UTF_8);
        // Other output may share the stream (the fuzz tests' instrumentation notes): the registry's is one line.
        List<String> message = output.lines().filter(line -> line.startsWith("registry: ")).toList();
        assertEquals(1, exit, output);
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(20)) < 0, "failed fast");
        assertEquals(1, message.size(), output);
        assertTrue(message.get(0).startsWith("registry: failed to open the PostgreSQL metadata database at jdbc:postgresql://127.0.0.1:"
                + closedPort + "/registry: "), output);
        assertFalse(output.contains("\tat "), "no stack trace: " + output);
    }
}
