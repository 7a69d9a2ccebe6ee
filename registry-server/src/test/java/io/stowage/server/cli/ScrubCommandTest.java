package io.stowage.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code registry scrub ...} against a server on loopback, as an operator would type it. */
class ScrubCommandTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry();
    private static final ObjectMapper JSON = new ObjectMapper();
    private final OciApi api = new OciApi(registry);

    private record Result(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out.isBlank() ? err : out);
        }
    }

    private Result registry(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new RegistryCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--server";
        full[args.length + 1] = registry.uri("").toString();
        int exit = cli.execute(full);
        return new Result(exit, out.toString().trim(), err.toString().trim());
    }

    @Test
    void aCleanRegistryIsExitZeroAndDamageLeftUnrepairedIsExitOne() throws Exception {
        api.pushImage("cli/app", "v1", 33);
        Result clean = registry("scrub", "--dry-run", "--wait", "--max-bytes-per-second", "0");
        assertEquals(0, clean.exit(), clean.err());
        assertEquals("completed", clean.json().path("outcome").asText());
        assertTrue(clean.json().path("dryRun").asBoolean());

        JsonNode manifest = JSON.readTree(api.get("/v2/cli/app/manifests/v1").body());
        Digest layer = Digest.parse(manifest.path("layers").path(0).path("digest").asText());
        Path file = registry.dataDir().resolve("blobs/sha256").resolve(layer.hex().substring(0, 2)).resolve(layer.hex());
        byte[] bytes = Files.readAllBytes(file);
        bytes[0] ^= 0x7f;
        Files.write(file, bytes);

        Result damaged = registry("scrub", "--wait", "--max-bytes-per-second", "0");
        assertEquals(1, damaged.exit());
        assertTrue(damaged.err().contains("1 tag(s) lack content that was not repaired"), damaged.err());
        assertEquals(layer.toString(), damaged.json().path("quarantined").path(0).path("digest").asText());

        Result status = registry("scrub", "status");
        assertEquals(0, status.exit(), status.err());
        assertEquals("idle", status.json().path("state").asText());
        assertEquals(1, status.json().path("lastRun").path("counts").path("quarantined").asInt());

        Result bad = registry("scrub", "--repair-from", "ftp://nowhere/x");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("UNSUPPORTED"), bad.err());
    }
}
