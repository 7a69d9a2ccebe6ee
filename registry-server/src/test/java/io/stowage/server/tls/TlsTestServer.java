package io.stowage.server.tls;

import io.stowage.server.Registry;
import io.stowage.server.config.ConfigLoader;
import io.stowage.server.config.RegistryConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A registry started in-process with HTTPS on a free loopback port, configured through the same
 * {@link ConfigLoader} as {@code registry serve} (keys as environment variables), with its data in
 * {@code dir/data}. Closing stops it.
 */
public final class TlsTestServer implements AutoCloseable {
    private final Registry registry;

    private TlsTestServer(Registry registry) {
        this.registry = registry;
    }

    /**
     * @param dir  where the data directory goes
     * @param tlsEnvironment {@code REGISTRY_TLS_*} variables, e.g. {@code REGISTRY_TLS_CERT_FILE}
     */
    public static TlsTestServer start(Path dir, Map<String, String> tlsEnvironment) {
        Map<String, String> env = new HashMap<>(tlsEnvironment);
        env.put("REGISTRY_HTTP_ADDR", "127.0.0.1:0");
        env.put("REGISTRY_STORAGE_DATA_DIR", dir.resolve("data").toString());
        env.put("REGISTRY_GC_INTERVAL", "PT0S");
        env.put("REGISTRY_HTTP_SHUTDOWN_GRACE", "PT5S");
        RegistryConfig config = new ConfigLoader().load(null, env, Map.of());
        try {
            Files.createDirectories(dir);
            return new TlsTestServer(Registry.start(config, Clock.systemUTC()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** HTTPS with {@code cert} and {@code key}, files checked for changes every 100 ms. */
    public static TlsTestServer start(Path dir, Path cert, Path key) {
        return start(dir, Map.of("REGISTRY_TLS_CERT_FILE", cert.toString(), "REGISTRY_TLS_KEY_FILE", key.toString(),
                "REGISTRY_TLS_RELOAD_CHECK", Duration.ofMillis(100).toString()));
    }

    public int port() {
        return registry.address().getPort();
    }

    public URI uri(String path) {
        return URI.create("https://127.0.0.1:" + port() + path);
    }

    @Override
    public void close() {
        registry.close();
    }
}
