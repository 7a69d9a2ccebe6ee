package io.stowage.server.e2e;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A JUnit fixture that gives each test its own registry server ({@link RegistryUnderTest#start}) in a
 * fresh temporary directory, started on the test's first call to {@link #registry()} (so a test that
 * skips for want of a client starts nothing) and stopped after the test. When the test failed, the
 * server's log is printed to the test's output and the directory is kept for a post-mortem; otherwise
 * it is deleted.
 * Register it as an instance field with {@code @RegisterExtension}. Not thread-safe: one test at a time.
 */
final class RegistryExtension implements BeforeEachCallback, AfterEachCallback {

    private static final int LOG_LINES_ON_FAILURE = 400;

    private Path workDir;
    private RegistryUnderTest registry;

    /** The server of the running test, started on first use. */
    RegistryUnderTest registry() {
        if (workDir == null) {
            throw new IllegalStateException("no registry outside a test: register the extension as an instance field");
        }
        if (registry == null) {
            registry = RegistryUnderTest.start(workDir.resolve("registry"));
        }
        return registry;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        workDir = Files.createTempDirectory("stowage-e2e-");
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            if (registry != null) {
                registry.close();
            }
        } finally {
            if (context.getExecutionException().isPresent()) {
                System.err.println("=== test " + context.getDisplayName() + " failed; kept " + workDir);
                if (registry != null) {
                    System.err.println("=== " + registry.name() + " log (" + registry.logFile() + "):");
                    System.err.println(registry.logTail(LOG_LINES_ON_FAILURE));
                }
            } else {
                deleteTree(workDir);
            }
            registry = null;
            workDir = null;
        }
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
