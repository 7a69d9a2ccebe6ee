package io.stowage.server.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code podman} confined to a private image store: {@code --root}, {@code --runroot} and
 * {@code --tmpdir} under a directory the test owns, the {@code vfs} storage driver (no overlay mounts,
 * nothing to unmount afterwards), cgroupfs and file-based events (no systemd or journald needed).
 * Nothing touches the machine's own containers storage. Each call is bounded by a timeout.
 * Thread-safe as far as podman itself is.
 */
final class Podman {

    private final CommandRunner runner;
    private final List<String> globalOptions;

    /** A podman whose whole state lives under {@code stateDir}. */
    Podman(Path stateDir) {
        this(stateDir, new CommandRunner(Duration.ofMinutes(3)));
    }

    /**
     * A podman whose whole state lives under {@code stateDir} and whose credentials ({@code podman
     * login}, {@code logout}, and every push and pull) are read and written only in {@code authFile}
     * ({@code REGISTRY_AUTH_FILE}), never in the machine's own auth files. An absent {@code authFile}
     * is created without credentials, because podman 4 refuses to pull or push with a missing one.
     */
    Podman(Path stateDir, Path authFile) {
        this(stateDir, new CommandRunner(Duration.ofMinutes(3))
                .withEnvironment("REGISTRY_AUTH_FILE", authFile.toString()));
        try {
            if (!Files.exists(authFile)) {
                Files.writeString(authFile, "{\"auths\": {}}\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Podman(Path stateDir, CommandRunner runner) {
        this.runner = runner;
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.globalOptions = List.of(
                "--root", stateDir.resolve("root").toString(),
                "--runroot", stateDir.resolve("runroot").toString(),
                "--tmpdir", stateDir.resolve("tmp").toString(),
                "--storage-driver", "vfs",
                "--cgroup-manager", "cgroupfs",
                "--events-backend", "file");
    }

    /** Runs {@code podman <global options> args...} and fails the test, with its output, on a non-zero exit. */
    CommandRunner.Result run(String... args) {
        return runner.run(command(args));
    }

    CommandRunner.Result runAllowingFailure(String... args) {
        return runner.runAllowingFailure(command(args));
    }

    /**
     * {@code podman login --password-stdin} without TLS, for a test that expects it may fail; the
     * password goes in on standard input, never on the command line.
     */
    CommandRunner.Result login(String hostPort, String user, String password) {
        return runner.runAllowingFailure(command("login", "--tls-verify=false", "--username", user, "--password-stdin",
                hostPort), password + "\n");
    }

    /** {@code podman image inspect --format FORMAT image}, trimmed. */
    String inspect(String image, String format) {
        return run("image", "inspect", "--format", format, image).stdout().trim();
    }

    private List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        command.add("podman");
        command.addAll(globalOptions);
        command.addAll(List.of(args));
        return command;
    }
}
