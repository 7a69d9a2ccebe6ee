package io.stowage.server.cli;

import io.stowage.server.auth.AtomicFiles;
import io.stowage.server.tls.DevCertificate;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code registry dev-cert --out DIR [--host NAME]... [--days 30] [--force]}: writes a self-signed
 * server certificate ({@code registry.crt}) and its key ({@code registry.key}, mode 0600) for a
 * first try of TLS, then prints the configuration lines that serve it and how to make skopeo,
 * podman, Docker and curl trust it. Not for production: clients must trust this one certificate
 * by hand, and nothing renews it.
 *
 * <p>Existing files are kept unless {@code --force}: overwriting the key of a certificate that
 * clients were given would break them without warning.
 *
 * <p>Exit codes: 0 written, 1 the files could not be written, 2 bad usage or existing files.
 */
@Command(name = "dev-cert", mixinStandardHelpOptions = true,
        description = "Write a self-signed TLS certificate and key for trying TLS on this machine (not for production).")
final class DevCertCommand implements Callable<Integer> {
    static final String CERT_FILE = "registry.crt";
    static final String KEY_FILE = "registry.key";

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for registry.crt and registry.key; created if absent.")
    Path out;

    @Option(names = "--host", paramLabel = "NAME",
            description = "A DNS name or IP address clients dial, besides localhost, 127.0.0.1 and ::1; repeatable.")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--days", defaultValue = "30", paramLabel = "N",
            description = "Validity in days, 1 to " + DevCertificate.MAX_DAYS + " (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--force", description = "Overwrite registry.crt and registry.key if they exist.")
    boolean force;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        DevCertificate made;
        try {
            made = DevCertificate.create(hosts, days, Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            return fail(2, e.getMessage());
        }
        Path dir = out.toAbsolutePath().normalize();
        Path cert = dir.resolve(CERT_FILE);
        Path key = dir.resolve(KEY_FILE);
        if (!force) {
            for (Path file : List.of(cert, key)) {
                if (Files.exists(file)) {
                    return fail(2, file + " exists; use --force to replace it (clients that trust the old certificate will refuse the new one)");
                }
            }
        }
        try {
            Files.createDirectories(dir);
            // The key first: a registry watching these files reloads once both are new.
            write(key, made.privateKeyPem());
            write(cert, made.certificatePem());
            if (posix()) {
                // The certificate is public: clients and other users may need to read it.
                Files.setPosixFilePermissions(cert, PosixFilePermissions.fromString("rw-r--r--"));
            }
        } catch (FileAlreadyExistsException e) {
            return fail(2, e.getFile() + " appeared while writing; use --force to replace it");
        } catch (IOException e) {
            return fail(1, "cannot write to " + dir + ": " + e.getMessage());
        }
        printInstructions(spec.commandLine().getOut(), made, cert, key);
        return 0;
    }

    private void write(Path file, String pem) throws IOException {
        byte[] bytes = pem.getBytes(StandardCharsets.US_ASCII);
        if (force) {
            AtomicFiles.replaceOwnerOnly(file, bytes);
        } else {
            AtomicFiles.createOwnerOnly(file, bytes);
        }
    }

    private void printInstructions(PrintWriter out, DevCertificate made, Path cert, Path key) {
        List<String> names = made.names();
        // The first name given is the one clients most likely dial; IPv6 addresses need brackets before a port.
        String host = hosts.isEmpty() ? "localhost" : DevCertificate.canonicalName(hosts.get(0));
        String registry = (host.contains(":") ? "[" + host + "]" : host) + ":5000";
        out.println("wrote " + cert + " (self-signed certificate for " + String.join(", ", names) + ", valid until "
                + made.certificate().getNotAfter().toInstant() + ")");
        out.println("wrote " + key + " (its private key, mode 0600)");
        out.println();
        out.println("Serve with TLS: add to registry.yml");
        out.println("  tls:");
        out.println("    certFile: " + cert);
        out.println("    keyFile: " + key);
        out.println("or set REGISTRY_TLS_CERT_FILE=" + cert + " REGISTRY_TLS_KEY_FILE=" + key);
        out.println();
        out.println("Make clients trust it, for the host:port they dial (" + registry + " below). Copy only the .crt:");
        out.println("a .key file in a certs.d directory is taken for a client key and makes skopeo and podman fail.");
        out.println("  skopeo, podman: mkdir -p ~/.config/containers/certs.d/" + registry
                + " && cp " + cert + " ~/.config/containers/certs.d/" + registry + "/ca.crt");
        out.println("                  (or, for one command, skopeo copy --dest-cert-dir DIR / --src-cert-dir DIR with DIR holding only the .crt)");
        out.println("  docker:         sudo mkdir -p /etc/docker/certs.d/" + registry
                + " && sudo cp " + cert + " /etc/docker/certs.d/" + registry + "/ca.crt");
        out.println("  curl:           curl --cacert " + cert + " https://" + registry + "/v2/");
        out.flush();
    }

    private int fail(int code, String message) {
        spec.commandLine().getErr().println("registry dev-cert: " + message);
        spec.commandLine().getErr().flush();
        return code;
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
