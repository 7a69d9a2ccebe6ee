package io.stowage.server.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One replica of a scaled-out registry: this project's server as its own process, configured through
 * {@code REGISTRY_*} variables (the backends every replica shares) plus its own {@code replica.id} and
 * data directory ({@code workDir/data}). Killing it with SIGKILL is a replica dying.
 */
final class ReplicaProcess extends LoopbackServerProcess {

    private final String id;
    private final Path dataDir;
    private final Map<String, String> environment;

    private ReplicaProcess(String id, Path workDir, Map<String, String> shared) {
        super("replica-" + id, workDir.resolve("replica-" + id + ".log"));
        this.id = id;
        this.dataDir = workDir.resolve("replica-" + id);
        Map<String, String> environment = new HashMap<>(shared);
        environment.put("REGISTRY_REPLICA_ID", id);
        this.environment = Map.copyOf(environment);
    }

    /** Starts replica {@code id} with the shared configuration {@code shared}; returns once it answers. */
    static ReplicaProcess start(String id, Path workDir, Map<String, String> shared) {
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ReplicaProcess replica = new ReplicaProcess(id, workDir, shared);
        replica.launch();
        return replica;
    }

    String id() {
        return id;
    }

    /** Starts it again after a {@link #kill()} or {@link #stop()}, with the same port and data. */
    void relaunch() {
        launch();
    }

    @Override
    protected Map<String, String> environment() {
        return environment;
    }

    @Override
    protected List<String> command(int port) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xmx384m", "-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1"));
        command.addAll(List.of(
                "-cp", System.getProperty("java.class.path"),
                StowageProcess.MAIN_CLASS, "serve",
                "--listen", "127.0.0.1:" + port,
                "--data-dir", dataDir.toString()));
        return command;
    }
}
