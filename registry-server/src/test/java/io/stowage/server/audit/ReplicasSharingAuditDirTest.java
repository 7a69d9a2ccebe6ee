package io.stowage.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.server.cli.RegistryCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two registry replicas, each with its own data directory, sharing one audit directory (a
 * ReadWriteMany volume): each writes its own chain, and either one's query and verify cover both.
 */
class ReplicasSharingAuditDirTest {
    private static final Path SHARED = sharedAuditDir();

    @RegisterExtension
    static final TestRegistry east = new TestRegistry(config -> {
        config.replica.id = "east-0";
        config.audit.dir = SHARED.toString();
    });

    @RegisterExtension
    static final TestRegistry west = new TestRegistry(config -> {
        config.replica.id = "west-0";
        config.audit.dir = SHARED.toString();
    });

    private static Path sharedAuditDir() {
        try {
            return Files.createTempDirectory("stowage-shared-audit-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void removeSharedDir() throws IOException {
        east.stop();
        west.stop();
        try (Stream<Path> paths = Files.walk(SHARED)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void eitherReplicaQueriesAndVerifiesBothChains() throws Exception {
        new OciApi(east).pushImage("shared/east", "v1", 1);
        new OciApi(west).pushImage("shared/west", "v1", 2);
        assertTrue(Files.isDirectory(SHARED.resolve("replicas/east-0")));
        assertTrue(Files.isDirectory(SHARED.resolve("replicas/west-0")));

        // East sees west's push, with west's replica, and the replica filter selects west's chain only.
        JsonNode westPushes = json(new OciApi(east).get("/admin/audit?replica=west-0&action=manifest.put"
                + "&repository=shared/west"));
        assertEquals(1, westPushes.path("records").size(), westPushes.toString());
        JsonNode push = westPushes.path("records").get(0);
        assertEquals("west-0", push.path("replica").asText());
        assertEquals("shared/west", push.path("repository").asText());
        JsonNode eastPushesFromWest = json(new OciApi(west).get("/admin/audit?action=manifest.put"
                + "&repository=shared/east"));
        assertEquals("east-0", eastPushesFromWest.path("records").get(0).path("replica").asText());
        assertEquals("shared/east", eastPushesFromWest.path("records").get(0).path("repository").asText());
        JsonNode none = json(new OciApi(west).get("/admin/audit?replica=east-0&repository=shared/west"));
        assertEquals(0, none.path("records").size());

        // Without a filter, both replicas' records, each naming its replica.
        Set<String> replicas = new HashSet<>();
        for (JsonNode record : json(new OciApi(east).get("/admin/audit?action=manifest.put&limit=1000")).path("records")) {
            replicas.add(record.path("replica").asText());
        }
        assertEquals(Set.of("east-0", "west-0"), replicas);

        assertFalse(json(new OciApi(east).get("/admin/audit/shipping")).path("configured").asBoolean());
        for (TestRegistry replica : List.of(east, west)) {
            JsonNode verify = json(new OciApi(replica).get("/admin/audit/verify"));
            assertTrue(verify.path("ok").asBoolean(), verify.toString());
            List<String> verified = new ArrayList<>();
            verify.path("replicas").forEach(r -> {
                verified.add(r.path("replica").asText());
                assertTrue(r.path("ok").asBoolean(), r.toString());
            });
            assertEquals(List.of("east-0", "west-0"), verified);
        }
    }

    @Test
    void pagingOverBothChainsReturnsEveryRecordOnce() throws Exception {
        for (int i = 0; i < 3; i++) {
            new OciApi(east).pushImage("paged/east", "v" + i, 10 + i);
            new OciApi(west).pushImage("paged/west", "v" + i, 20 + i);
        }
        Set<String> seen = new HashSet<>();
        String after = null;
        int count = 0;
        do {
            JsonNode page = json(new OciApi(west).get("/admin/audit?action=manifest.put&limit=2"
                    + (after == null ? "" : "&after=" + after)));
            for (JsonNode record : page.path("records")) {
                if (record.path("repository").asText().startsWith("paged/")) {
                    assertTrue(seen.add(record.path("replica").asText() + ":" + record.path("seq").asLong()));
                }
                count++;
            }
            after = page.path("next").isNull() ? null : page.path("next").asText();
        } while (after != null && count < 1000);
        assertEquals(6, seen.size());
    }

    @Test
    void aTamperedRecordOfOneReplicaIsReportedAsThatReplicasByTheOther() throws Exception {
        new OciApi(west).pushImage("tamper/west", "v1", 30);
        // An offline copy, so the live chains stay intact for the other tests.
        Path copy = Files.createTempDirectory("stowage-audit-copy-");
        try {
            copyTree(SHARED, copy);
            Path segment = copy.resolve("replicas/west-0/segment-000001.log");
            List<String> lines = new ArrayList<>(Files.readAllLines(segment));
            int target = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains("\"repository\":\"tamper/west\"") && lines.get(i).contains("manifest.put")) {
                    target = i;
                }
            }
            assertTrue(target > 0);
            lines.set(target, lines.get(target).replace("tamper/west", "tamper/wesT"));
            Files.write(segment, lines);
            StringWriter out = new StringWriter();
            CommandLine cli = new CommandLine(new RegistryCommand());
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(out, true));
            int exit = cli.execute("audit", "verify", "--dir", copy.toString(), "--allow-unsigned-tail");
            assertEquals(1, exit, out.toString());
            assertTrue(out.toString().contains("FAILED replica west-0 segment segment-000001.log seq " + (target + 1)),
                    out.toString());
            assertTrue(out.toString().contains("OK replica east-0"), out.toString());
        } finally {
            try (Stream<Path> paths = Files.walk(copy)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void keysGivenPerReplicaAreUsedAndAWrongOneNamesItsReplica() throws Exception {
        new OciApi(east).pushImage("keys/east", "v1", 40);
        Path eastKey = east.dataDir().resolve("keys/audit-ed25519.pub.pem");
        Path westKey = west.dataDir().resolve("keys/audit-ed25519.pub.pem");
        StringWriter out = new StringWriter();
        int exit = cli(out, "audit", "verify", "--dir", SHARED.toString(), "--allow-unsigned-tail",
                "--public-key", "east-0=" + eastKey, "--public-key", "west-0=" + westKey);
        assertEquals(0, exit, out.toString());
        assertTrue(out.toString().contains("given for east-0") && out.toString().contains("given for west-0"),
                out.toString());

        StringWriter swapped = new StringWriter();
        exit = cli(swapped, "audit", "verify", "--dir", SHARED.toString(), "--allow-unsigned-tail",
                "--public-key", "east-0=" + eastKey, "--public-key", "west-0=" + eastKey);
        assertEquals(1, exit, swapped.toString());
        assertTrue(swapped.toString().contains("FAILED replica west-0"), swapped.toString());
        assertTrue(swapped.toString().contains("OK replica east-0"), swapped.toString());
    }

    private static int cli(StringWriter out, String... args) {
        CommandLine cli = new CommandLine(new RegistryCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        return cli.execute(args);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else if (!file.getFileName().toString().equals("writer.lock")) {
                    Files.copy(file, target);
                    target.toFile().setWritable(true);
                }
            }
        }
    }

    private static JsonNode json(HttpResponse<byte[]> response) throws IOException {
        assertEquals(200, response.statusCode(), new String(response.body()));
        JsonNode node = OciApi.json(response);
        assertNotNull(node);
        assertFalse(node.isMissingNode());
        return node;
    }
}
