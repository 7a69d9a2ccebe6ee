package io.stowage.server.cli;

import io.stowage.server.tls.ClientAuthMode;
import io.stowage.server.tls.TlsMaterial;
import io.stowage.server.tls.TlsSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code registry dev-cert}, run as an operator would. */
class DevCertCommandTest {
    @TempDir
    Path dir;

    private record Result(int exit, String out, String err) {
    }

    private static Result registry(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new RegistryCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString().trim());
    }

    private static X509Certificate certificate(Path file) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(file)));
    }

    @Test
    void writesASelfSignedP256CertificateForLocalNamesAndTheGivenHosts() throws Exception {
        Path out = dir.resolve("tls");
        Result result = registry("dev-cert", "--out", out.toString(), "--host", "Registry.Example", "--host", "10.1.2.3",
                "--days", "10");

        assertEquals(0, result.exit(), result.err());
        X509Certificate cert = certificate(out.resolve("registry.crt"));
        assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
        cert.verify(cert.getPublicKey()); // signed by its own key
        String curve = ((ECPublicKey) cert.getPublicKey()).getParams().toString();
        assertTrue(curve.contains("secp256r1") || curve.contains("P-256"), curve);
        assertEquals(-1, cert.getBasicConstraints(), "not a CA");
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), cert.getExtendedKeyUsage(), "serverAuth");
        List<String> names = cert.getSubjectAlternativeNames().stream().map(name -> String.valueOf(name.get(1))).toList();
        assertEquals(List.of("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1", "registry.example", "10.1.2.3"), names);
        Instant notAfter = cert.getNotAfter().toInstant();
        assertTrue(notAfter.isAfter(Instant.now().plus(Duration.ofDays(9)))
                && notAfter.isBefore(Instant.now().plus(Duration.ofDays(11))), notAfter.toString());

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("registry.key"))));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("registry.crt"))));
        TlsMaterial pair = TlsMaterial.read(new TlsSettings(out.resolve("registry.crt"), out.resolve("registry.key"),
                Optional.empty(), ClientAuthMode.NONE, Duration.ofSeconds(5)));
        assertEquals(cert, pair.leaf(), "the registry serves the pair as written");
    }

    @Test
    void printsTheConfigurationLinesAndHowClientsTrustIt() {
        Path out = dir.resolve("tls");
        Result result = registry("dev-cert", "--out", out.toString(), "--host", "registry.example");

        String crt = out.resolve("registry.crt").toAbsolutePath().toString();
        assertTrue(result.out().contains("    certFile: " + crt + "\n"), result.out());
        assertTrue(result.out().contains("    keyFile: " + out.resolve("registry.key").toAbsolutePath() + "\n"), result.out());
        assertTrue(result.out().contains("REGISTRY_TLS_CERT_FILE=" + crt), result.out());
        assertTrue(result.out().contains("/etc/docker/certs.d/registry.example:5000/ca.crt"), result.out());
        assertTrue(result.out().contains("~/.config/containers/certs.d/registry.example:5000"), result.out());
        assertTrue(result.out().contains("--dest-cert-dir"), result.out());
    }

    @Test
    void existingFilesAreKeptUnlessForced() throws Exception {
        Path out = dir.resolve("tls");
        assertEquals(0, registry("dev-cert", "--out", out.toString()).exit());
        byte[] key = Files.readAllBytes(out.resolve("registry.key"));
        byte[] cert = Files.readAllBytes(out.resolve("registry.crt"));

        Result again = registry("dev-cert", "--out", out.toString());
        assertEquals(2, again.exit());
        assertTrue(again.err().contains("exists; use --force"), again.err());
        assertArrayEquals(key, Files.readAllBytes(out.resolve("registry.key")));
        assertArrayEquals(cert, Files.readAllBytes(out.resolve("registry.crt")));

        assertEquals(0, registry("dev-cert", "--out", out.toString(), "--force").exit());
        assertFalse(java.util.Arrays.equals(key, Files.readAllBytes(out.resolve("registry.key"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("registry.key"))));
    }

    @Test
    void badHostsAndDaysAreRefusedWithoutWritingAnything() {
        Path out = dir.resolve("tls");
        Result badHost = registry("dev-cert", "--out", out.toString(), "--host", "not a host");
        assertEquals(2, badHost.exit());
        assertTrue(badHost.err().contains("neither a DNS name nor an IP address"), badHost.err());
        Result badDays = registry("dev-cert", "--out", out.toString(), "--days", "0");
        assertEquals(2, badDays.exit());
        assertFalse(Files.exists(out));
    }
}
