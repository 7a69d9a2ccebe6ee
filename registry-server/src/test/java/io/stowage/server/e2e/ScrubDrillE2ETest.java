package io.stowage.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stowage.server.TestRegistry;
import io.stowage.server.cli.RegistryCommand;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scrub runbook of docs/recovery.md with a real client: skopeo pushes an image and copies it to
 * an OCI layout (the backup), one byte of a layer rots on disk, skopeo's pull fails on the digest,
 * {@code registry scrub --repair-from DIR --wait} finds, quarantines and repairs it, skopeo pulls the
 * image identical again, and the audit log tells start, quarantine, repair and end in that order.
 * Skips with a message where skopeo is not installed (CI installs it).
 */
class ScrubDrillE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final TestRegistry registry = new TestRegistry();

    @TempDir
    Path temp;

    private final Skopeo skopeo = new Skopeo();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void requireSkopeo() {
        Tools.requireOnPath("skopeo");
    }

    @Test
    void aRottedLayerIsQuarantinedAndRepairedFromTheLayoutBackupAndPullsIdentical() throws Exception {
        OciLayoutBuilder source = new OciLayoutBuilder(temp.resolve("source"), 21);
        OciLayoutBuilder.BuiltImage image = source.addImage("v1", 3);
        skopeo.push(source.reference("v1"), ref("scrub/app:v1"), false);
        Path backup = temp.resolve("backup");
        skopeo.pull(ref("scrub/app:v1"), "oci:" + backup + ":v1", false);

        String layer = image.layers().get(1).digest();
        String hex = layer.substring("sha256:".length());
        Path file = registry.dataDir().resolve("blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 0x01;
        Files.write(file, bytes);
        CommandRunner.Result broken = skopeo.tryCopy(ref("scrub/app:v1"), "oci:" + temp.resolve("broken") + ":v1",
                "--src-tls-verify=false");
        assertNotEquals(0, broken.exitCode(), "the pull fails on the rotted layer");

        Cli scrub = cli("scrub", "--repair-from", backup.toString(), "--wait", "--max-bytes-per-second", "0");
        assertEquals(0, scrub.exit(), scrub.err() + scrub.out());
        JsonNode report = JSON.readTree(scrub.out());
        assertEquals("completed", report.path("outcome").asText());
        assertEquals(layer, report.path("quarantined").path(0).path("digest").asText());
        assertArrayEquals(bytes, Files.readAllBytes(Path.of(report.path("quarantined").path(0).path("path").asText())));
        assertEquals(layer, report.path("repaired").path(0).path("digest").asText());
        assertEquals("v1", report.path("affected").path(0).path("tag").asText());
        assertTrue(report.path("affected").path(0).path("repaired").asBoolean());

        Path copy = temp.resolve("pulled");
        skopeo.pull(ref("scrub/app:v1"), "oci:" + copy + ":v1", false);
        OciLayoutReader back = new OciLayoutReader(copy);
        assertEquals(image.manifest().digest(), back.digestOf("v1"));
        List<OciLayoutBuilder.Descriptor> blobs = new ArrayList<>(image.layers());
        blobs.add(image.config());
        for (OciLayoutBuilder.Descriptor blob : blobs) {
            assertEquals(blob.digest(), Digests.sha256(back.blobPath(blob.digest())), "byte for byte: " + blob.digest());
        }

        assertAuditTellsTheStory(report.path("id").asText(), layer);
    }

    private void assertAuditTellsTheStory(String runId, String layer) throws Exception {
        List<String> story = new ArrayList<>();
        for (int attempt = 0; attempt < 100 && !story.contains("scrub.run.end"); attempt++) {
            story.clear();
            JsonNode page = json(call("GET", "/admin/audit?limit=1000"));
            for (JsonNode record : page.path("records")) {
                if (runId.equals(record.path("detail").path("runId").asText())) {
                    String action = record.path("action").asText();
                    story.add(action);
                    if (!action.startsWith("scrub.run")) {
                        assertEquals(layer, record.path("digest").asText(), record.toString());
                    }
                }
            }
            Thread.sleep(100);
        }
        assertEquals(List.of("scrub.run.start", "scrub.quarantine", "scrub.repair", "scrub.run.end"), story);
        assertTrue(json(call("GET", "/admin/audit/verify")).path("ok").asBoolean());
    }

    private record Cli(int exit, String out, String err) {
    }

    private Cli cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new RegistryCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> full = new ArrayList<>(List.of(args));
        full.add("--server");
        full.add(registry.uri("").toString());
        int exit = cli.execute(full.toArray(String[]::new));
        return new Cli(exit, out.toString().trim(), err.toString().trim());
    }

    private HttpResponse<String> call(String method, String path) throws Exception {
        URI uri = registry.uri(path);
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static String ref(String image) {
        return "docker://127.0.0.1:" + registry.registry().address().getPort() + "/" + image;
    }
}
