package io.stowage.server.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external command to completion within a timeout and captures what it printed.
 *
 * <p>Standard output and standard error go to temporary files rather than pipes, so a chatty
 * command can never block on a full pipe; standard output is kept as bytes because some commands
 * ({@code skopeo inspect --raw}) print content whose digest matters. A command that outlives its
 * timeout is killed with its descendants and reported with what it printed so far. Immutable and
 * thread-safe; each {@link #run} starts its own process. Standard input is {@code /dev/null} unless
 * a call gives some.
 */
final class CommandRunner {

    /** How much of a command's output goes into a failure message. */
    private static final int MAX_REPORTED_CHARS = 20_000;

    private final Duration timeout;
    private final Map<String, String> environment;

    CommandRunner(Duration timeout) {
        this(timeout, Map.of());
    }

    private CommandRunner(Duration timeout, Map<String, String> environment) {
        this.timeout = timeout;
        this.environment = Map.copyOf(environment);
    }

    /** A runner that also sets one environment variable for every command it runs. */
    CommandRunner withEnvironment(String name, String value) {
        Map<String, String> env = new HashMap<>(environment);
        env.put(name, value);
        return new CommandRunner(timeout, env);
    }

    /** Runs the command and fails the test, showing its output, unless it exits with 0. */
    Result run(String... command) {
        return run(List.of(command));
    }

    Result run(List<String> command) {
        Result result = runAllowingFailure(command);
        if (result.exitCode() != 0) {
            throw new AssertionError(result.describe("exited with " + result.exitCode()));
        }
        return result;
    }

    /** Runs the command and returns whatever it did, for tests that expect a command to fail. */
    Result runAllowingFailure(String... command) {
        return runAllowingFailure(List.of(command));
    }

    Result runAllowingFailure(List<String> command) {
        return runAllowingFailure(command, null);
    }

    /**
     * Runs the command with {@code input} as its standard input (e.g. a password for
     * {@code --password-stdin}), or {@code /dev/null} when null, and returns whatever it did.
     */
    Result runAllowingFailure(List<String> command, String input) {
        Path stdin = null;
        Path stdout = null;
        Path stderr = null;
        try {
            if (input != null) {
                stdin = Files.createTempFile("e2e-cmd-", ".in");
                Files.writeString(stdin, input, StandardCharsets.UTF_8);
            }
            stdout = Files.createTempFile("e2e-cmd-", ".out");
            stderr = Files.createTempFile("e2e-cmd-", ".err");
            Path in = stdin == null ? Path.of("/dev/null") : stdin;
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(in.toFile()))
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                Result partial = new Result(command, -1, Files.readAllBytes(stdout), Files.readString(stderr));
                throw new AssertionError(partial.describe("did not finish within " + timeout.toSeconds() + " s"));
            }
            return new Result(command, process.exitValue(), Files.readAllBytes(stdout),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            deleteQuietly(stdin);
            deleteQuietly(stdout);
            deleteQuietly(stderr);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // A leftover temp file is harmless; the command's result matters more.
            }
        }
    }

    /** What a finished command left behind. */
    record Result(List<String> command, int exitCode, byte[] stdoutBytes, String stderr) {

        Result {
            command = List.copyOf(command);
        }

        String stdout() {
            return new String(stdoutBytes, StandardCharsets.UTF_8);
        }

        String describe(String what) {
            return "command " + String.join(" ", command) + " " + what
                    + "\n--- stdout ---\n" + clip(stdout())
                    + "\n--- stderr ---\n" + clip(stderr);
        }

        private static String clip(String text) {
            return text.length() <= MAX_REPORTED_CHARS
                    ? text
                    : "[... " + (text.length() - MAX_REPORTED_CHARS) + " chars cut]\n"
                            + text.substring(text.length() - MAX_REPORTED_CHARS);
        }
    }
}
