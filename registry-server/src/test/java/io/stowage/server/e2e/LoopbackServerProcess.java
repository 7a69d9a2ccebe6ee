package io.stowage.server.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The lifecycle shared by every {@link RegistryUnderTest}: one child process at a time, bound to a
 * loopback port picked once and kept across restarts, its output appended to one log file, and
 * readiness judged by {@code GET /v2/} answering 200 within {@link #READY_TIMEOUT}. Subclasses only
 * say which command to run. A JVM shutdown hook kills any child still alive, so an aborted test run
 * leaves no server behind. Lifecycle methods are not thread-safe.
 */
abstract class LoopbackServerProcess implements RegistryUnderTest {

    static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final int LOG_LINES_IN_MESSAGES = 60;

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> LIVE.forEach(Process::destroyForcibly), "e2e-server-reaper"));
    }

    private final String name;
    private final Path logFile;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();
    private Process process;

    protected LoopbackServerProcess(String name, Path logFile) {
        this.name = name;
        this.logFile = logFile;
        this.port = freeLoopbackPort();
    }

    /** The command line that starts the server listening on {@code 127.0.0.1:port}. */
    protected abstract List<String> command(int port);

    /** Variables added to the child's environment (configuration as {@code REGISTRY_*}); none by default. */
    protected Map<String, String> environment() {
        return Map.of();
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final URI baseUri() {
        return URI.create("http://" + hostPort() + "/");
    }

    @Override
    public final String hostPort() {
        return "127.0.0.1:" + port;
    }

    @Override
    public final Path logFile() {
        return logFile;
    }

    /** Launches the process and returns once {@code /v2/} answers 200; fails with the log otherwise. */
    protected final void launch() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " already runs");
        }
        List<String> command = command(port);
        appendToLog("=== " + Instant.now() + " starting " + name + ": " + abbreviated(command) + "\n");
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(environment());
            process = builder
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + ": " + command, e);
        }
        LIVE.add(process);
        awaitReady();
    }

    private void awaitReady() {
        URI v2 = baseUri().resolve("/v2/");
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String lastProblem = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue()
                        + " before GET " + v2 + " answered 200 (server did not start); log " + logFile
                        + ":\n" + logTail(LOG_LINES_IN_MESSAGES));
            }
            try {
                HttpResponse<Void> response = http.send(
                        HttpRequest.newBuilder(v2).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
                lastProblem = "status " + response.statusCode();
            } catch (IOException e) {
                lastProblem = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            sleep(POLL_INTERVAL);
        }
        kill();
        throw new IllegalStateException(name + " did not answer GET " + v2 + " with 200 within "
                + READY_TIMEOUT.toSeconds() + " s (last: " + lastProblem + "); log " + logFile + ":\n"
                + logTail(LOG_LINES_IN_MESSAGES));
    }

    @Override
    public final void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy(); // SIGTERM on Linux
        if (!waitForExit(STOP_TIMEOUT)) {
            kill();
            throw new AssertionError(name + " did not exit within " + STOP_TIMEOUT.toSeconds()
                    + " s of SIGTERM and was killed; log " + logFile + ":\n" + logTail(LOG_LINES_IN_MESSAGES));
        }
        appendToLog("=== " + Instant.now() + " " + name + " stopped, exit code " + process.exitValue() + "\n");
    }

    @Override
    public final void kill() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroyForcibly(); // SIGKILL on Linux
        if (!waitForExit(KILL_TIMEOUT)) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") survived SIGKILL for "
                    + KILL_TIMEOUT.toSeconds() + " s");
        }
        appendToLog("=== " + Instant.now() + " " + name + " killed with SIGKILL\n");
    }

    @Override
    public final void restart() {
        stop();
        launch();
    }

    @Override
    public final void close() {
        try {
            stop();
        } finally {
            if (process != null && process.isAlive()) {
                kill();
            }
        }
    }

    @Override
    public final String logTail(int lines) {
        try {
            if (!Files.exists(logFile)) {
                return "(no log file)";
            }
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private boolean waitForExit(Duration timeout) {
        try {
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (exited) {
                LIVE.remove(process);
            }
            return exited;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void appendToLog(String line) {
        try {
            Files.writeString(logFile, line, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + logFile, e);
        }
    }

    /** The command for the log, with the long class path shortened. */
    private static String abbreviated(List<String> command) {
        return command.stream()
                .map(arg -> arg.length() > 200 ? "<" + arg.length() + " chars>" : arg)
                .collect(Collectors.joining(" "));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A port that was free on 127.0.0.1 a moment ago. Another process could take it before the
     * server binds; the server then fails to start and says so in its log, which is rare enough.
     */
    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
