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

    private final CommandRunner runner = new CommandRunner(Duration.ofMinutes(3));
    private final List<String> globalOptions;

    /** A podman whose whole state lives under {@code stateDir}. */
    Podman(Path stateDir) {
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
