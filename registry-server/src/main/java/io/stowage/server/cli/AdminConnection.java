package io.stowage.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine;
import picocli.CommandLine.Option;

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

/**
 * The part every command that drives a running registry's admin API shares (a picocli mixin):
 * {@code --server}, {@code --user} and {@code --password-file}, one call at a time with sign-in as
 * the registry asks (a password, or a token from the endpoint a 401 names), printing the JSON
 * answer, and waiting for a background run to finish. Exit codes: 0 success, 1 an error answer
 * (printed), 2 the server could not be reached.
 */
public final class AdminConnection {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

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

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec mixee;

    /** Null without --user; made on first use. */
    private AdminSignIn signIn;

    /** Made on first use: picocli builds every subcommand at start-up, and a client costs half a second of TLS set-up. */
    private HttpClient http;

    /** A finished call: the status and the body as the server sent it. */
    public record Answer(int status, String body) {
        public boolean ok() {
            return status < 300;
        }

        public JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    /** One call to the admin API; null when the server could not be reached (already reported). */
    public Answer fetch(String method, String path, Object body) {
        return fetch(method, path, body, CALL_TIMEOUT);
    }

    /** {@link #fetch(String, String, Object)} waiting up to {@code timeout} for the answer (a re-import takes long). */
    public Answer fetch(String method, String path, Object body, Duration timeout) {
        try {
            if (http == null) {
                http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            }
            if (user != null && signIn == null) {
                char[] password = password();
                if (password == null) {
                    err().println(name() + ": --user needs its password: --password-file,"
                            + " REGISTRY_PASSWORD, or a console to type it on");
                    return null;
                }
                signIn = new AdminSignIn(user, password);
            }
            HttpResponse<String> response = http.send(request(method, path, body, timeout), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 401 && signIn != null
                    && signIn.answer(response.headers().firstValue("WWW-Authenticate").orElse(null), http)) {
                // In token mode the first answer names the token endpoint; ask it, then try again.
                response = http.send(request(method, path, body, timeout), HttpResponse.BodyHandlers.ofString());
            }
            return new Answer(response.statusCode(), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | IllegalArgumentException e) {
            err().println(name() + ": cannot reach " + server + ": " + e.getMessage());
        }
        return null;
    }

    /** Prints the answer (to stdout when it succeeded, else stderr) and returns the exit code. */
    public int print(Answer answer) {
        if (answer == null) {
            return 2;
        }
        PrintWriter out = answer.ok() ? mixee.commandLine().getOut() : err();
        out.println(answer.body());
        out.flush();
        return answer.ok() ? 0 : 1;
    }

    /**
     * Polls {@code runPath} until its JSON has a non-null {@code finishedAt}, then prints it; exit 0
     * when its {@code outcome} is {@code completed}, 1 otherwise or when {@code timeout} passed first.
     */
    public int awaitRun(String runPath, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Answer run = fetch("GET", runPath, null);
            if (run == null || !run.ok()) {
                return print(run);
            }
            JsonNode report = run.json();
            if (!report.path("finishedAt").isNull() && !report.path("finishedAt").isMissingNode()) {
                print(run);
                return "completed".equals(report.path("outcome").asText()) ? 0 : 1;
            }
            Thread.sleep(POLL.toMillis());
        }
        err().println(name() + ": " + runPath + " still running after " + timeout);
        return 1;
    }

    private HttpRequest request(String method, String path, Object body, Duration timeout) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.replaceAll("/+$", "") + path))
                .timeout(timeout)
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

    /** Where errors and warnings go: the command's error stream. */
    public PrintWriter err() {
        return mixee.commandLine().getErr();
    }

    /** "registry gc", for messages. */
    private String name() {
        return mixee.qualifiedName();
    }
}
