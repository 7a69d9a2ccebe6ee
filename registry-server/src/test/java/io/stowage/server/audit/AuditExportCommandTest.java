package io.stowage.server.audit;

import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.server.cli.RegistryCommand;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code registry audit export} over a log written by a real server, as a SIEM would take it. */
class AuditExportCommandTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry();

    @TempDir
    Path out;

    @BeforeAll
    static void writeALog() throws Exception {
        OciApi api = new OciApi(registry);
        api.pushImage("export/app", "v1", 1);
        api.pushImage("export/other", "v1", 2);
        registry.stop();
    }

    @Test
    void jsonLinesAreTheStoredLinesOfTheChosenRecords() throws Exception {
        Path file = out.resolve("records.jsonl");
        assertEquals(0, run("audit", "export", "--dir", dir(), "--repository", "export/app", "--action", "manifest.put",
                "--output", file.toString()));
        List<String> lines = Files.readAllLines(file);
        assertEquals(1, lines.size(), lines.toString());
        String stored = Files.readString(new AuditTrail(registry.dataDir()).directory().resolve("segment-000001.log"));
        assertTrue(stored.contains(lines.get(0) + "\n"), "exported byte for byte, so its hash still checks");
    }

    @Test
    void csvHasAHeaderAndOneRowPerRecordInTheRange() throws Exception {
        Path file = out.resolve("records.csv");
        assertEquals(0, run("audit", "export", "--dir", dir(), "--format", "csv", "--since", "2000-01-01T00:00:00Z",
                "--until", "2999-01-01T00:00:00Z", "--action", "manifest.put", "--output", file.toString()));
        List<String> lines = Files.readAllLines(file);
        assertTrue(lines.get(0).startsWith("seq,time,kind,requestId,actor"), lines.get(0));
        assertEquals(3, lines.size(), lines.toString());
        assertEquals(0, run("audit", "export", "--dir", dir(), "--since", "2999-01-01T00:00:00Z",
                "--output", out.resolve("none.jsonl").toString()));
        assertEquals(0, Files.size(out.resolve("none.jsonl")));
    }

    @Test
    void badArgumentsExit2() {
        assertEquals(2, run("audit", "export", "--dir", dir(), "--since", "yesterday"));
        assertEquals(2, run("audit", "export", "--dir", dir(), "--format", "xml"));
        assertEquals(2, run("audit", "verify", "--dir", dir(), "--public-key", "/nonexistent.pem"));
    }

    private static String dir() {
        return registry.dataDir().resolve("audit").toString();
    }

    private static int run(String... args) {
        CommandLine cli = new CommandLine(new RegistryCommand());
        StringWriter sink = new StringWriter();
        cli.setOut(new PrintWriter(sink, true));
        cli.setErr(new PrintWriter(sink, true));
        return cli.execute(args);
    }
}
