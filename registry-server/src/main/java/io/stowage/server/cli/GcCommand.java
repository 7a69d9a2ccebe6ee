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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code registry gc status|pause|resume|run}: the garbage collector's admin API from a shell,
 * against a running server. Prints the server's JSON answer; exits 0 on success, 1 on an error
 * answer (printed too), 2 when the server cannot be reached. With {@code --user}, signs in as the
 * registry asks: a password, or a token from the token endpoint that a 401 names.
 */
@Command(name = "gc", mixinStandardHelpOptions = true, description = "Control the garbage collector of a running registry.",
        subcommands = {GcCommand.Status.class, GcCommand.Pause.class, GcCommand.Resume.class, GcCommand.Run.class})
final class GcCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(200);

    @Option(names = "--server", paramLabel = "URL", defaultValue = "http://127.0.0.1:5000",
            description = "The registry's base URL (default ${DEFAULT-VALUE}).", scope = CommandLine.ScopeType.INHERIT)
    String server;

    @Option(names = "--user", paramLabel = "NAME", scope = CommandLine.ScopeType.INHERIT,
            description = "Sign in as this user (a registry with auth.mode basic or token); the password comes from"
                    + " the environment variable REGISTRY_PASSWORD, else from the console.")
    String user;

    @Option(names = "--password-file", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
            description = "Read the --user password from the first line of this file (e.g. a mounted secret).")
    Path passwordFile;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Null without --user; made on first use. */
    private AdminSignIn signIn;

    /** Made on first use: picocli builds every subcommand at start-up, and a client costs half a second of TLS set-up. */
    private HttpClient http;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** One call to the admin API; null when the server could not be reached (already reported). */
    private Answer fetch(String method, String path, Object body) {
        try {
            if (http == null) {
                http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            }
            if (user != null && signIn == null) {
                char[] password = password();
                if (password == null) {
                    spec.commandLine().getErr().println("registry gc: --user needs its password: --password-file,"
                            + " REGISTRY_PASSWORD, or a console to type it on");
                    return null;
                }
                signIn = new AdminSignIn(user, password);
            }
            HttpResponse<String> response = http.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 401 && signIn != null
                    && signIn.answer(response.headers().firstValue("WWW-Authenticate").orElse(null), http)) {
                // In token mode the first answer names the token endpoint; ask it, then try again.
                response = http.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
            }
            return new Answer(response.statusCode(), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("registry gc: cannot reach " + server + ": " + e.getMessage());
        }
        return null;
    }

    private HttpRequest request(String method, String path, Object body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.replaceAll("/+$", "") + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        if (signIn != null) {
            request.header("Authorization", signIn.authorization());
        }
        return request.build();
    }

    /**
     * From --password-file, else REGISTRY_PASSWORD, else asked on the console; never a flag's value,
     * which a process list shows. Null when there is none of them.
     */
    private char[] password() throws IOException {
        if (passwordFile != null) {
            String content = Files.readString(passwordFile, StandardCharsets.UTF_8);
            int end = content.indexOf('\n');
            return (end < 0 ? content : content.substring(0, end)).replace("\r", "").toCharArray();
        }
        String fromEnvironment = System.getenv("REGISTRY_PASSWORD");
        if (fromEnvironment != null) {
            return fromEnvironment.toCharArray();
        }
        if (System.console() == null) {
            return null;
        }
        char[] typed = System.console().readPassword("password: ");
        return typed == null ? new char[0] : typed;
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
