package io.stowage.server.e2e;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A registry server process listening on {@code 127.0.0.1:port} with plain HTTP and no auth, owned
 * by one test: the test starts it, may stop, kill or restart it on the same data directory and port,
 * and closes it. Implementations are not thread-safe for lifecycle calls; {@link #baseUri()} and
 * {@link #hostPort()} may be read from any thread.
 */
interface RegistryUnderTest extends AutoCloseable {

    /** The system property that picks the server: {@code stowage} (default) or {@code reference}. */
    String TARGET_PROPERTY = "stowage.e2e.target";

    /** Starts the server chosen by {@value #TARGET_PROPERTY}, with its data and log under {@code workDir}. */
    static RegistryUnderTest start(Path workDir) {
        String target = System.getProperty(TARGET_PROPERTY, "stowage").trim().toLowerCase(Locale.ROOT);
        switch (target) {
            case "stowage":
            case "":
                return StowageProcess.start(workDir);
            case "reference":
                return ReferenceRegistryProcess.start(workDir);
            default:
                throw new IllegalArgumentException(TARGET_PROPERTY + " must be 'stowage' or 'reference', not '"
                        + target + "'");
        }
    }

    /** A short name of the implementation, for messages. */
    String name();

    /** {@code http://127.0.0.1:port/}. */
    URI baseUri();

    /** {@code 127.0.0.1:port}, the registry part of an image reference. */
    String hostPort();

    /** The file that receives the server's standard output and error, across restarts. */
    Path logFile();

    /** The last {@code lines} lines of the log, for failure messages. */
    String logTail(int lines);

    /** Sends SIGTERM and waits (bounded) for the process to exit; fails if it does not. */
    void stop();

    /** Kills the process with SIGKILL, as a crash would, and waits for it to be gone. */
    void kill();

    /** Stops the server if it runs, then starts it again on the same data directory and port. */
    void restart();

    /** Stops the server if it still runs, killing it if SIGTERM is not enough. */
    @Override
    void close();
}
