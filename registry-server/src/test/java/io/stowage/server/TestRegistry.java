package io.stowage.server;

import io.stowage.server.config.RegistryConfig;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A registry started in-process on a free loopback port with its own temporary data directory,
 * for tests that speak HTTP to it; stopped and deleted after the test class.
 * Register with {@code @RegisterExtension static final TestRegistry registry = new TestRegistry();}.
 */
public final class TestRegistry implements BeforeAllCallback, AfterAllCallback {
    private final Consumer<RegistryConfig> customizer;
    private Registry registry;
    private RegistryConfig config;
    private Path dataDir;

    public TestRegistry() {
        this(config -> {
        });
    }

    /** A registry whose configuration the test adjusts (e.g. a zero GC grace period). */
    public TestRegistry(Consumer<RegistryConfig> customizer) {
        this.customizer = customizer;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dataDir = Files.createTempDirectory("stowage-test-");
        RegistryConfig config = new RegistryConfig();
        config.http.addr = "127.0.0.1:0";
        config.http.shutdownGrace = java.time.Duration.ofSeconds(5);
        config.storage.dataDir = dataDir.toString();
        config.limits.maxManifestBytes = 256 * 1024;
        config.gc.interval = java.time.Duration.ZERO;
        customizer.accept(config);
        this.config = config;
        registry = Registry.start(config, Clock.systemUTC());
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (registry != null) {
            registry.close();
        }
        if (dataDir != null) {
            try (Stream<Path> paths = Files.walk(dataDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Stops the registry before the class ends, e.g. to examine its files at rest; the data stays until afterAll. */
    public void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    /** Stops the registry and starts it again on the same data and configuration (a new port). */
    public void restart() throws IOException, InterruptedException {
        registry.close();
        registry = Registry.start(config, Clock.systemUTC());
    }

    /** The running registry, for tests that reach past HTTP (its audit log, its services). */
    public Registry registry() {
        return registry;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + registry.address().getPort() + path);
    }

    public Path dataDir() {
        return dataDir;
    }
}
