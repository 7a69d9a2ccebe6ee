package io.stowage.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stowage.server.TestRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code registry gc ...} against a server on loopback, as an operator would type it. */
class GcCommandTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry();
    private static final ObjectMapper JSON = new ObjectMapper();

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
        String server = registry.uri("").toString();
        String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--server";
        full[args.length + 1] = server;
        int exit = cli.execute(full);
        return new Result(exit, out.toString().trim(), err.toString().trim());
    }

    @Test
    void pauseRunRefusedDryRunWaitsResume() throws Exception {
        Result paused = registry("gc", "pause", "--reason", "on-call: restoring app:v1");
        assertEquals(0, paused.exit(), paused.err());
        assertEquals("on-call: restoring app:v1", paused.json().path("pauseReason").asText());

        Result refused = registry("gc", "run");
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("GC_PAUSED"), refused.err());

        Result dry = registry("gc", "run", "--dry-run", "--wait");
        assertEquals(0, dry.exit(), dry.err());
        assertEquals("completed", dry.json().path("outcome").asText());
        assertTrue(dry.json().has("deleted"));

        Result resumed = registry("gc", "resume");
        assertEquals(0, resumed.exit());
        assertEquals("idle", registry("gc", "status").json().path("state").asText());
    }

    @Test
    void anUnreachableServerIsExitCode2() {
        CommandLine cli = new CommandLine(new RegistryCommand());
        cli.setErr(new PrintWriter(new StringWriter()));
        assertEquals(2, cli.execute("gc", "status", "--server", "http://127.0.0.1:1"));
    }
}
