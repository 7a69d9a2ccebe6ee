package io.stowage.server.e2e;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Which external clients this machine has, and the rule for a test whose client is missing: skip
 * with a message that names it, or fail when {@code STOWAGE_E2E_REQUIRE_TOOLS} is set, which
 * {@code .ci/run} does on CI so that a missing install step cannot hide behind a skipped test.
 * Stateless and thread-safe.
 */
final class Tools {

    /** Where the Docker CLI and daemon meet when {@code DOCKER_HOST} is not set. */
    static final String DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

    private Tools() {
    }

    /** Whether an executable of this name is on {@code PATH}. */
    static boolean onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    /** The Docker endpoint the CLI will use: {@code DOCKER_HOST}, else the default socket. */
    static String dockerHost() {
        String host = System.getenv("DOCKER_HOST");
        return host == null || host.isBlank() ? DEFAULT_DOCKER_HOST : host;
    }

    /** Whether a Docker daemon answers {@code docker info} at {@link #dockerHost()} within 20 s. */
    static boolean dockerDaemonAnswers() {
        String host = dockerHost();
        if (host.startsWith("unix://") && !Files.exists(Path.of(host.substring("unix://".length())))) {
            return false;
        }
        CommandRunner.Result info = new CommandRunner(Duration.ofSeconds(20))
                .runAllowingFailure("docker", "-H", host, "info", "--format", "{{.ServerVersion}}");
        return info.exitCode() == 0;
    }

    /** Skips (or on CI fails) the calling test unless {@code tool} is on {@code PATH}. */
    static void requireOnPath(String tool) {
        require(onPath(tool), tool + " not installed: skipping");
    }

    /** Skips (or on CI fails) the calling test unless a Docker daemon answers. */
    static void requireDockerDaemon() {
        requireOnPath("docker");
        require(dockerDaemonAnswers(), "no Docker daemon answers at " + dockerHost()
                + " (set DOCKER_HOST, or start dockerd as .ci/run does): skipping");
    }

    private static void require(boolean present, String message) {
        if (!present && toolsRequired()) {
            fail(message.replace(": skipping", "") + ", and STOWAGE_E2E_REQUIRE_TOOLS is set");
        }
        assumeTrue(present, message);
    }

    private static boolean toolsRequired() {
        String required = System.getenv("STOWAGE_E2E_REQUIRE_TOOLS");
        return required != null && !required.isBlank() && !required.equals("0") && !required.equals("false");
    }
}
