package io.stowage.server.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Docker CLI talking to the daemon at {@link Tools#dockerHost()} (always passed as {@code -H}, so
 * the daemon is the one the test checked). Docker treats registries on 127.0.0.0/8 as insecure, so
 * plain HTTP to the registry under test needs no daemon configuration. Each call is bounded by a
 * timeout. Thread-safe.
 */
final class DockerCli {

    private static final Pattern PUSHED_DIGEST = Pattern.compile("digest: (sha256:[0-9a-f]{64})");
    private static final Pattern PULLED_DIGEST = Pattern.compile("Digest: (sha256:[0-9a-f]{64})");

    private final CommandRunner runner;
    private final String host = Tools.dockerHost();

    /** The CLI with the user's configuration (credentials included). */
    DockerCli() {
        this.runner = new CommandRunner(Duration.ofMinutes(3));
    }

    /**
     * The CLI with its configuration, and so the credentials {@code docker login} stores, in
     * {@code configDir} ({@code DOCKER_CONFIG}) instead of the user's {@code ~/.docker}.
     */
    DockerCli(Path configDir) {
        this.runner = new CommandRunner(Duration.ofMinutes(3)).withEnvironment("DOCKER_CONFIG", configDir.toString());
    }

    CommandRunner.Result run(String... args) {
        return runner.run(command(args));
    }

    CommandRunner.Result runAllowingFailure(String... args) {
        return runner.runAllowingFailure(command(args));
    }

    /**
     * {@code docker login --password-stdin}, for a test that expects it may fail; the password goes in
     * on standard input, never on the command line.
     */
    CommandRunner.Result login(String hostPort, String user, String password) {
        return runner.runAllowingFailure(command("login", "--username", user, "--password-stdin", hostPort),
                password + "\n");
    }

    /** {@code docker push}; returns the manifest digest it reports ({@code TAG: digest: sha256:... size: N}). */
    String push(String image) {
        return find(PUSHED_DIGEST, run("push", image));
    }

    /** {@code docker pull}; returns the manifest digest it reports ({@code Digest: sha256:...}). */
    String pull(String image) {
        return find(PULLED_DIGEST, run("pull", image));
    }

    /** {@code docker image inspect --format FORMAT image}, trimmed. */
    String inspect(String image, String format) {
        return run("image", "inspect", "--format", format, image).stdout().trim();
    }

    /** Whether the daemon has an image of this name or ID. */
    boolean hasImage(String image) {
        return runAllowingFailure("image", "inspect", image).exitCode() == 0;
    }

    private static String find(Pattern pattern, CommandRunner.Result result) {
        Matcher matcher = pattern.matcher(result.stdout());
        if (!matcher.find()) {
            throw new AssertionError(result.describe("printed no digest"));
        }
        return matcher.group(1);
    }

    private List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of("docker", "-H", host));
        command.addAll(List.of(args));
        return command;
    }
}
