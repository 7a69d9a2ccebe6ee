package io.stowage.server.cli;

import io.stowage.server.Registry;
import io.stowage.server.config.ConfigException;
import io.stowage.server.config.ConfigLoader;
import io.stowage.server.config.RegistryConfig;
import io.stowage.storage.meta.MetadataStoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code registry serve}: runs the registry until SIGTERM or SIGINT, then shuts down cleanly. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the registry. Settings: defaults < --config YAML < REGISTRY_* environment < flags.")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address to listen on (default 127.0.0.1:5000).")
    String listen;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where blobs and the database live (default ./data).")
    Path dataDir;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
    Path configFile;

    @Override
    public Integer call() throws Exception {
        RegistryConfig config;
        try {
            Map<String, String> flags = new HashMap<>();
            flags.put("http.addr", listen);
            flags.put("storage.dataDir", dataDir == null ? null : dataDir.toString());
            config = new ConfigLoader().load(configFile, System.getenv(), flags);
        } catch (ConfigException e) {
            System.err.println("registry: " + e.getMessage());
            return 2;
        }
        Registry registry;
        try {
            registry = Registry.start(config, Clock.systemUTC());
        } catch (ConfigException e) {
            // A file the configuration names is unusable (htpasswd, policy, key) or settings that loaded
            // cannot be used (a certificate that does not match its key): the operator's to fix.
            System.err.println("registry: " + e.getMessage());
            return 2;
        } catch (MetadataStoreException e) {
            // The database is down, unreachable or refuses us: say so in one line instead of a stack trace.
            System.err.println("registry: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            registry.close();
            stopped.countDown();
        }, "registry-shutdown"));
        stopped.await();
        return 0;
    }
}
