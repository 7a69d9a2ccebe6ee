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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The disaster drill of docs/recovery.md with real clients: skopeo pushes an image, {@code registry
 * backup} writes the registry to an OCI layout (or a copy goes to a second Stowage server), the tag is
 * deleted and a collection with no grace and no retention really removes its layers, the pull
 * fails, {@code registry recover reimport --restore} brings it back, skopeo pulls it identical, and
 * the audit log tells push, backup, delete, sweep, re-import and restore in that order and verifies.
 */
class ReimportDrillE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final TestRegistry registry = new TestRegistry(config -> {
        config.gc.gracePeriod = Duration.ZERO;
        config.gc.retention = Duration.ZERO;
    });
    /** Another registry holding a copy: the source of the second drill. */
    @RegisterExtension
    static final TestRegistry mirror = new TestRegistry();

    @TempDir
    Path temp;

    private final Skopeo skopeo = new Skopeo();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void requireSkopeo() {
        Tools.requireOnPath("skopeo");
    }

    @Test
    void aCollectedImageComesBackFromItsLayoutBackup() throws Exception {
        OciLayoutBuilder.BuiltImage image = pushWithSkopeo("drill/app", 11);
        Path backup = temp.resolve("backup");
        Cli backedUp = cli("backup", "--to", backup.toString(), "--wait");
        assertEquals(0, backedUp.exit(), backedUp.err() + backedUp.out());

        loseIt("drill/app", image);

        Cli reimport = cli("recover", "reimport", "--repository", "drill/app", "--tag", "v1", "--from", backup.toString(),
                "--require-audited", "--restore");
        assertEquals(0, reimport.exit(), reimport.err() + reimport.out());
        JsonNode report = JSON.readTree(reimport.out());
        assertEquals(image.manifest().digest(), report.path("digest").asText());
        assertTrue(report.path("provenance").path("seq").asLong() > 0);

        assertPullsIdentical("drill/app", image);
        assertAuditTellsTheStory("drill/app", image, true);
    }

    @Test
    void aCollectedImageComesBackFromASecondStowageServer() throws Exception {
        OciLayoutBuilder.BuiltImage image = pushWithSkopeo("drill/web", 12);
        skopeo.pull(ref(registry, "drill/web:v1"), "oci:" + temp.resolve("hop") + ":v1", false);
        skopeo.push("oci:" + temp.resolve("hop") + ":v1", ref(mirror, "copies/web:v1"), false);

        loseIt("drill/web", image);

        String source = "http://127.0.0.1:" + mirror.registry().address().getPort() + "/copies/web";
        Cli reimport = cli("recover", "reimport", "--repository", "drill/web", "--tag", "v1", "--from", source,
                "--require-audited", "--restore");
        assertEquals(0, reimport.exit(), reimport.err() + reimport.out());
        assertTrue(JSON.readTree(reimport.out()).path("source").asText().startsWith("registry "));

        assertPullsIdentical("drill/web", image);
        assertAuditTellsTheStory("drill/web", image, false);
    }

    /** Builds an image of three layers and pushes it with skopeo as {@code repository:v1}. */
    private OciLayoutBuilder.BuiltImage pushWithSkopeo(String repository, long seed) {
        OciLayoutBuilder source = new OciLayoutBuilder(temp.resolve("source-" + seed), seed);
        OciLayoutBuilder.BuiltImage image = source.addImage("v1", 3);
        skopeo.push(source.reference("v1"), ref(registry, repository + ":v1"), false);
        return image;
    }

    /** Deletes the tag, collects with no grace and no retention, and shows the pull fails. */
    private void loseIt(String repository, OciLayoutBuilder.BuiltImage image) throws Exception {
        assertEquals(202, call("DELETE", "/v2/" + repository + "/manifests/v1", null).statusCode());
        JsonNode run = awaitRun(json(call("POST", "/admin/gc/runs", null)).path("id").asText());
        Set<String> swept = new HashSet<>();
        run.path("deleted").forEach(d -> swept.add(d.path("digest").asText()));
        for (OciLayoutBuilder.Descriptor layer : image.layers()) {
            assertTrue(swept.contains(layer.digest()), "the collection removed " + layer.digest());
        }
        CommandRunner.Result pull = skopeo.tryCopy(ref(registry, repository + ":v1"), "oci:" + temp.resolve("fails") + ":v1",
                "--src-tls-verify=false");
        assertNotEquals(0, pull.exitCode(), "the pull fails while the content is gone");
        HttpResponse<String> undelete = call("POST", "/admin/repositories/" + repository + "/tags/v1/undelete", null);
        assertEquals(409, undelete.statusCode());
        JsonNode detail = json(undelete).path("errors").path(0).path("detail");
        assertTrue(detail.path("reimport").asText().startsWith("registry recover reimport --repository " + repository
                + " --tag v1 --digest " + image.manifest().digest()), detail.toString());
    }

    private void assertPullsIdentical(String repository, OciLayoutBuilder.BuiltImage image) throws Exception {
        Path copy = temp.resolve("pulled-" + repository.replace('/', '-'));
        skopeo.pull(ref(registry, repository + ":v1"), "oci:" + copy + ":v1", false);
        OciLayoutReader back = new OciLayoutReader(copy);
        assertEquals(image.manifest().digest(), back.digestOf("v1"));
        List<OciLayoutBuilder.Descriptor> blobs = new ArrayList<>(image.layers());
        blobs.add(image.config());
        for (OciLayoutBuilder.Descriptor blob : blobs) {
            assertEquals(blob.digest(), Digests.sha256(back.blobPath(blob.digest())), "byte for byte: " + blob.digest());
        }
    }

    /**
     * push -> (backup ->) tag delete -> gc sweep -> reimport -> restore, in sequence order, and the
     * chain verifies.
     */
    private void assertAuditTellsTheStory(String repository, OciLayoutBuilder.BuiltImage image, boolean backedUp)
            throws Exception {
        String layer = image.layers().get(0).digest();
        long push = -1;
        long backup = -1;
        long delete = -1;
        long sweep = -1;
        long reimport = -1;
        long restored = -1;
        long restore = -1;
        long pushSeq = -1;
        String after = "0";
        while (after != null) {
            JsonNode page = json(call("GET", "/admin/audit?limit=1000&after=" + after, null));
            for (JsonNode record : page.path("records")) {
                long seq = record.path("seq").asLong();
                String action = record.path("action").asText();
                boolean ours = repository.equals(record.path("repository").asText());
                if (ours && action.equals("manifest.put") && record.path("status").asInt() == 201 && push < 0) {
                    push = seq;
                    pushSeq = seq;
                } else if (action.equals("backup.run.end") && backup < 0) {
                    backup = seq;
                } else if (ours && action.equals("tag.delete")) {
                    delete = seq;
                } else if (action.equals("gc.blob.delete") && layer.equals(record.path("digest").asText())) {
                    sweep = seq;
                } else if (ours && action.equals("recovery.reimport") && record.path("kind").asText().equals("event")) {
                    reimport = seq;
                    assertEquals(pushSeq, record.path("detail").path("provenanceSeq").asLong());
                } else if (ours && action.equals("tag.restored")) {
                    restored = seq;
                } else if (ours && action.equals("recovery.restore")) {
                    restore = seq;
                    assertEquals(pushSeq, record.path("detail").path("provenanceSeq").asLong());
                }
            }
            after = page.path("next").isNull() ? null : page.path("next").asText();
        }
        if (backedUp) {
            assertTrue(push < backup && backup < delete, "push " + push + " < backup " + backup + " < delete " + delete);
        }
        assertTrue(push > 0 && push < delete && delete < sweep && sweep < reimport && reimport < restored
                && restored < restore, "push " + push + " < delete " + delete + " < sweep " + sweep + " < reimport "
                + reimport + " < tag.restored " + restored + " < recovery.restore " + restore);
        JsonNode verify = json(call("GET", "/admin/audit/verify", null));
        assertTrue(verify.path("ok").asBoolean(), verify.toString());
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
        URI uri = registry.uri(path);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static String ref(TestRegistry target, String image) {
        return "docker://127.0.0.1:" + target.registry().address().getPort() + "/" + image;
    }
}
