package io.stowage.server.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * This project's registry, run as {@code java -cp <test class path> io.stowage.server.cli.RegistryCommand
 * serve --listen 127.0.0.1:PORT --data-dir DIR}: a real process, so SIGTERM and SIGKILL mean what they
 * mean in production. Owns {@code workDir/data} (the data directory) and {@code workDir/stowage.log}.
 */
final class StowageProcess extends LoopbackServerProcess {

    static final String MAIN_CLASS = "io.stowage.server.cli.RegistryCommand";

    /** A heap cap keeps a server that buffers whole blobs from hiding it on a large machine. */
    private static final List<String> JVM_OPTIONS = List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError");

    private final Path dataDir;
    private final List<String> jvmOptions;

    private StowageProcess(Path workDir, List<String> jvmOptions) {
        super("stowage", workDir.resolve("stowage.log"));
        this.dataDir = workDir.resolve("data");
        this.jvmOptions = jvmOptions;
    }

    /** Starts the server with its data in {@code workDir/data}; returns once {@code /v2/} answers 200. */
    static StowageProcess start(Path workDir) {
        return start(workDir, JVM_OPTIONS);
    }

    /** As {@link #start(Path)}, with these JVM options instead of the default heap cap. */
    static StowageProcess start(Path workDir, List<String> jvmOptions) {
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StowageProcess server = new StowageProcess(workDir, List.copyOf(jvmOptions));
        server.launch();
        return server;
    }

    Path dataDir() {
        return dataDir;
    }

    @Override
    protected List<String> command(int port) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of(
                "-cp", System.getProperty("java.class.path"),
                MAIN_CLASS, "serve",
                "--listen", "127.0.0.1:" + port,
                "--data-dir", dataDir.toString()));
        return command;
    }
}
