package io.stowage.storage.meta;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * A PostgreSQL server for tests, one per JVM, handing out a fresh database per caller.
 *
 * <p>With {@code STOWAGE_TEST_POSTGRES_URL} set (and {@code _USER}, {@code _PASSWORD}) that server
 * is used; its user must be allowed to create databases. Otherwise a throw-away cluster is made
 * with the installed {@code initdb}/{@code pg_ctl} (on {@code PATH}, else the newest
 * {@code /usr/lib/postgresql/<version>/bin}) in a temporary directory: listening on 127.0.0.1 only,
 * on a free port, its socket in that directory, no fsync. Run as root, the server runs as the
 * {@code postgres} user ({@code runuser}), since PostgreSQL refuses root. The cluster is stopped and
 * its directory deleted when the JVM exits. Every wait is bounded.
 *
 * <p>Without PostgreSQL the calling test is skipped with a message naming what is missing, or
 * fails when {@code STOWAGE_E2E_REQUIRE_TOOLS} is set (CI), as the end-to-end tests' tools do.
 * Thread-safe.
 */
public final class PostgresServer {
    private static final String USER = "stowage";
    private static final String PASSWORD = "stowage-test";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static PostgresServer shared;
    private static String unavailable;

    private final String host;
    private final String user;
    private final String password;
    private final String adminDatabaseUrl;
    /** The cluster this JVM started, or null for a server from the environment. */
    private final Cluster cluster;

    private PostgresServer(String host, String user, String password, String adminDatabaseUrl, Cluster cluster) {
        this.host = host;
        this.user = user;
        this.password = password;
        this.adminDatabaseUrl = adminDatabaseUrl;
        this.cluster = cluster;
    }

    /** A connection to one fresh database of the server. */
    public record Database(String jdbcUrl, String user, String password) {
        public PostgresSettings settings() {
            return new PostgresSettings(jdbcUrl, user, password, 8, Duration.ofSeconds(5));
        }

        public Connection connect() throws SQLException {
            return DriverManager.getConnection(jdbcUrl, user, password);
        }
    }

    /** The server of this JVM, started on first use; skips (or on CI fails) the caller without PostgreSQL. */
    public static synchronized PostgresServer shared() {
        if (shared == null && unavailable == null) {
            String url = System.getenv("STOWAGE_TEST_POSTGRES_URL");
            if (url != null && !url.isBlank()) {
                shared = fromEnvironment(url);
            } else {
                Optional<Path> bin = findBinaries();
                if (bin.isEmpty()) {
                    unavailable = "PostgreSQL not installed (no initdb and pg_ctl on PATH or under /usr/lib/postgresql/*/bin)"
                            + " and STOWAGE_TEST_POSTGRES_URL not set";
                } else {
                    Cluster cluster = Cluster.start(bin.get());
                    shared = new PostgresServer("127.0.0.1:" + cluster.port, USER, PASSWORD,
                            "jdbc:postgresql://127.0.0.1:" + cluster.port + "/postgres", cluster);
                    Runtime.getRuntime().addShutdownHook(new Thread(cluster::stop, "postgres-test-cluster-stop"));
                }
            }
        }
        if (shared == null) {
            if (toolsRequired()) {
                fail(unavailable + ", and STOWAGE_E2E_REQUIRE_TOOLS is set");
            }
            abort(unavailable + ": skipping");
        }
        return shared;
    }

    private static PostgresServer fromEnvironment(String url) {
        // The host part of jdbc:postgresql://host[:port]/database, for the fresh databases' URLs.
        String rest = url.substring(url.indexOf("//") + 2);
        String host = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        return new PostgresServer(host, System.getenv("STOWAGE_TEST_POSTGRES_USER"),
                System.getenv("STOWAGE_TEST_POSTGRES_PASSWORD"), url, null);
    }

    /** Creates a new, empty database. */
    public Database createDatabase() {
        String name = "stowage_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection(adminDatabaseUrl, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test database " + name + " at " + adminDatabaseUrl, e);
        }
        return new Database("jdbc:postgresql://" + host + "/" + name, user, password);
    }

    private static boolean toolsRequired() {
        String required = System.getenv("STOWAGE_E2E_REQUIRE_TOOLS");
        return required != null && !required.isBlank() && !required.equals("0") && !required.equals("false");
    }

    static Optional<Path> findBinaries() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty() && hasServerBinaries(Path.of(dir))) {
                    return Optional.of(Path.of(dir));
                }
            }
        }
        Path installed = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(installed)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(installed)) {
            return versions.map(v -> v.resolve("bin")).filter(PostgresServer::hasServerBinaries)
                    .max(Comparator.comparing(PostgresServer::majorVersion));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean hasServerBinaries(Path dir) {
        return Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("pg_ctl"));
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A cluster in a temporary directory, run by this JVM. */
    private static final class Cluster {
        private final Path bin;
        private final Path root;
        private final Path data;
        private final int port;
        private final boolean asPostgresUser;
        private boolean stopped;

        private Cluster(Path bin, Path root, int port, boolean asPostgresUser) {
            this.bin = bin;
            this.root = root;
            this.data = root.resolve("data");
            this.port = port;
            this.asPostgresUser = asPostgresUser;
        }

        static Cluster start(Path bin) {
            boolean root = "root".equals(System.getProperty("user.name"));
            Path dir = null;
            try {
                dir = Files.createTempDirectory("stowage-pg-");
                if (root) {
                    giveToPostgresUser(dir);
                }
                Path passwordFile = dir.resolve("password");
                Files.writeString(passwordFile, PASSWORD + "\n", StandardCharsets.UTF_8);
                if (root) {
                    giveToPostgresUser(passwordFile);
                }
                Cluster cluster = new Cluster(bin, dir, 0, root);
                cluster.run("initdb", "-D", cluster.data.toString(), "-U", USER, "--pwfile=" + passwordFile,
                        "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync");
                // A free port can be taken by someone else before the server binds it: try a few.
                IllegalStateException last = null;
                for (int attempt = 0; attempt < 3; attempt++) {
                    Cluster started = new Cluster(bin, dir, freePort(), root);
                    try {
                        started.run("pg_ctl", "-D", started.data.toString(), "-l", dir.resolve("server.log").toString(),
                                "-w", "-t", "60", "-o", "-c listen_addresses=127.0.0.1 -p " + started.port
                                        + " -k " + dir + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                                        + " -c max_connections=300", "start");
                        return started;
                    } catch (IllegalStateException e) {
                        last = e;
                    }
                }
                throw last;
            } catch (IOException | RuntimeException e) {
                if (dir != null) {
                    deleteTree(dir);
                }
                throw new IllegalStateException("could not start a PostgreSQL test cluster with " + bin + ": " + e.getMessage(), e);
            }
        }

        synchronized void stop() {
            if (stopped) {
                return;
            }
            stopped = true;
            try {
                run("pg_ctl", "-D", data.toString(), "-w", "-t", "30", "stop", "-m", "fast");
            } catch (RuntimeException e) {
                System.err.println("stopping the PostgreSQL test cluster failed: " + e.getMessage());
            } finally {
                deleteTree(root);
            }
        }

        private void run(String program, String... args) {
            List<String> command = new ArrayList<>();
            if (asPostgresUser) {
                command.addAll(List.of("runuser", "-u", "postgres", "--"));
            }
            command.add(bin.resolve(program).toString());
            command.addAll(List.of(args));
            try {
                Path output = Files.createTempFile(root, program, ".out");
                Process process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).start();
                if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    throw new IllegalStateException(program + " did not finish within " + COMMAND_TIMEOUT);
                }
                if (process.exitValue() != 0) {
                    Path log = root.resolve("server.log");
                    throw new IllegalStateException(program + " exited with " + process.exitValue() + ": "
                            + Files.readString(output) + (Files.exists(log) ? "\nserver log:\n" + Files.readString(log) : ""));
                }
            } catch (IOException e) {
                throw new IllegalStateException("could not run " + command, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted running " + program, e);
            }
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            }
        }

        private static void giveToPostgresUser(Path path) throws IOException {
            UserPrincipalLookupService users = FileSystems.getDefault().getUserPrincipalLookupService();
            UserPrincipal postgres = users.lookupPrincipalByName("postgres");
            GroupPrincipal group = users.lookupPrincipalByGroupName("postgres");
            PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
            view.setOwner(postgres);
            view.setGroup(group);
        }

        private static void deleteTree(Path dir) {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // Best effort: a temp directory left behind is no test failure.
                    }
                });
            } catch (IOException ignored) {
                // Already gone.
            }
        }
    }
}
