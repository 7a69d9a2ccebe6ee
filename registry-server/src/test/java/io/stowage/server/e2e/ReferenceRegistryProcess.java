package io.stowage.server.e2e;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The CNCF reference registry ({@code /usr/bin/docker-registry}, Debian's {@code docker-registry}
 * package) with filesystem storage and deletes enabled: the known-good implementation the end-to-end
 * tests are checked against. Owns {@code workDir/data}, {@code workDir/reference-config.yml} and
 * {@code workDir/reference-registry.log}.
 */
final class ReferenceRegistryProcess extends LoopbackServerProcess {

    static final Path BINARY = Path.of("/usr/bin/docker-registry");

    private final Path dataDir;
    private final Path configFile;

    private ReferenceRegistryProcess(Path workDir) {
        super("reference registry", workDir.resolve("reference-registry.log"));
        this.dataDir = workDir.resolve("data");
        this.configFile = workDir.resolve("reference-config.yml");
    }

    /** Starts the reference registry; returns once {@code /v2/} answers 200. */
    static ReferenceRegistryProcess start(Path workDir) {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: install Debian's docker-registry package"
                    + " to run the end-to-end tests with -D" + TARGET_PROPERTY + "=reference");
        }
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ReferenceRegistryProcess server = new ReferenceRegistryProcess(workDir);
        server.launch();
        return server;
    }

    @Override
    protected List<String> command(int port) {
        writeConfig(port);
        return List.of(BINARY.toString(), "serve", configFile.toString());
    }

    private void writeConfig(int port) {
        Map<String, Object> config = Map.of(
                "version", "0.1",
                "log", Map.of("level", "info"),
                "storage", Map.of(
                        "filesystem", Map.of("rootdirectory", dataDir.toString()),
                        "delete", Map.of("enabled", true),
                        // The tests own the data directory; no background purge should race them.
                        "maintenance", Map.of("uploadpurging", Map.of("enabled", false))),
                "http", Map.of(
                        "addr", "127.0.0.1:" + port,
                        // With a drain timeout the registry shuts down gracefully on SIGTERM.
                        "draintimeout", "5s"));
        try {
            new YAMLMapper().writeValue(configFile.toFile(), config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + configFile, e);
        }
    }
}
