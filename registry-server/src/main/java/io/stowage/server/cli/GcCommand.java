package io.stowage.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code registry gc status|pause|resume|run}: the garbage collector's admin API from a shell,
 * against a running server. Prints the server's JSON answer; exits 0 on success, 1 on an error
 * answer (printed too), 2 when the server cannot be reached.
 */
@Command(name = "gc", mixinStandardHelpOptions = true, description = "Control the garbage collector of a running registry.",
        subcommands = {GcCommand.Status.class, GcCommand.Pause.class, GcCommand.Resume.class, GcCommand.Run.class})
final class GcCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(200);

    @Option(names = "--server", paramLabel = "URL", defaultValue = "http://127.0.0.1:5000",
            description = "The registry's base URL (default ${DEFAULT-VALUE}).", scope = CommandLine.ScopeType.INHERIT)
    String server;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Made on first use: picocli builds every subcommand at start-up, and a client costs half a second of TLS set-up. */
    private HttpClient http;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** One call to the admin API; null when the server could not be reached (already reported). */
    private Answer fetch(String method, String path, Object body) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(server.replaceAll("/+$", "") + path))
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                    .build();
            if (http == null) {
                http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            }
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("registry gc: cannot reach " + server + ": " + e.getMessage());
        }
        return null;
    }

    private int print(Answer answer) {
        if (answer == null) {
            return 2;
        }
        PrintWriter out = answer.ok() ? spec.commandLine().getOut() : spec.commandLine().getErr();
        out.println(answer.body());
        out.flush();
        return answer.ok() ? 0 : 1;
    }

    private record Answer(int status, String body) {
        boolean ok() {
            return status < 300;
        }

        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    @Command(name = "status", description = "Show the state, the pause, the current and the last run.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        GcCommand gc;

        @Override
        public Integer call() {
            return gc.print(gc.fetch("GET", "/admin/gc", null));
        }
    }

    @Command(name = "pause", description = "Pause durably; returns once no deletion is in progress.")
    static final class Pause implements Callable<Integer> {
        @ParentCommand
        GcCommand gc;

        @Option(names = "--reason", description = "Why, for the record.")
        String reason;

        @Override
        public Integer call() {
            return gc.print(gc.fetch("POST", "/admin/gc/pause", reason == null ? null : Map.of("reason", reason)));
        }
    }

    @Command(name = "resume", description = "Resume collection.")
    static final class Resume implements Callable<Integer> {
        @ParentCommand
        GcCommand gc;

        @Override
        public Integer call() {
            return gc.print(gc.fetch("POST", "/admin/gc/resume", null));
        }
    }

    @Command(name = "run", description = "Start a collection (refused while paused, except --dry-run).")
    static final class Run implements Callable<Integer> {
        @ParentCommand
        GcCommand gc;

        @Option(names = "--dry-run", description = "List what would be deleted; delete nothing.")
        boolean dryRun;

        @Option(names = "--wait", description = "Wait for the run to finish, then print its report with every deleted digest.")
        boolean await;

        @Option(names = "--timeout", defaultValue = "PT1H", description = "How long --wait waits (ISO 8601, default ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() throws IOException, InterruptedException {
            Answer started = gc.fetch("POST", "/admin/gc/runs", dryRun ? Map.of("dryRun", true) : null);
            if (started == null || !started.ok() || !await) {
                return gc.print(started);
            }
            String id = started.json().path("id").asText();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                Answer run = gc.fetch("GET", "/admin/gc/runs/" + id, null);
                if (run == null || !run.ok()) {
                    return gc.print(run);
                }
                JsonNode report = run.json();
                if (!report.path("finishedAt").isNull()) {
                    gc.print(run);
                    return "completed".equals(report.path("outcome").asText()) ? 0 : 1;
                }
                Thread.sleep(POLL.toMillis());
            }
            gc.spec.commandLine().getErr().println("registry gc: run " + id + " still running after " + timeout);
            return 1;
        }
    }
}
