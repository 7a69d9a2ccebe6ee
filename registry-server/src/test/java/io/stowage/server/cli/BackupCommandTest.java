package io.stowage.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code registry backup --to DIR [--wait]} against a server on loopback, as an operator would type it. */
class BackupCommandTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

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
    void backupWaitsAndPrintsTheReportThenASecondRunHasNothingToDo() throws Exception {
        new OciApi(registry).pushImage("team/app", "v1", 3);
        Path target = dir.resolve("backup");

        Result first = registry("backup", "--to", target.toString(), "--wait");
        assertEquals(0, first.exit(), first.err());
        assertEquals("completed", first.json().path("outcome").asText());
        assertTrue(first.json().path("durationMs").isNumber(), "a benchmark reads the duration from the report");
        assertTrue(Files.exists(target.resolve("index.json")));

        Result second = registry("backup", "--to", target.toString(), "--wait");
        assertEquals(0, second.exit(), second.err());
        assertTrue(second.json().path("unchanged").asBoolean());

        Result started = registry("backup", "--to", dir.resolve("no-wait").toString());
        assertEquals(0, started.exit(), started.err());
        String id = started.json().path("id").asText();
        assertFalse(id.isBlank());
        OciApi api = new OciApi(registry);
        for (int i = 0; i < 300 && OciApi.json(api.get("/admin/backups/" + id)).path("finishedAt").isNull(); i++) {
            Thread.sleep(50); // let it finish before the directory is cleaned up
        }
    }

    @Test
    void aRelativeDirectoryIsRefusedWithTheServersError() throws Exception {
        Result refused = registry("backup", "--to", "relative/dir", "--wait");
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("BACKUP_TARGET_INVALID"), refused.err());
        Result missing = registry("backup");
        assertEquals(2, missing.exit(), "picocli: --to is required");
    }
}
