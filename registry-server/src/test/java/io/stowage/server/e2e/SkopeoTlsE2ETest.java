package io.stowage.server.e2e;

import io.stowage.server.cli.RegistryCommand;
import io.stowage.server.tls.TlsTestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code skopeo} against the registry over HTTPS with a certificate from {@code registry dev-cert},
 * verifying it the way an operator sets it up: the certificate, and only it, in a
 * containers-certs.d directory.
 */
class SkopeoTlsE2ETest {
    @TempDir
    Path temp;

    private final Skopeo skopeo = new Skopeo();

    @BeforeEach
    void requireSkopeo() {
        Tools.requireOnPath("skopeo");
    }

    /** Runs {@code registry dev-cert --out DIR}; returns DIR. */
    private Path devCert() {
        Path out = temp.resolve("tls");
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new RegistryCommand());
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        assertEquals(0, cli.execute("dev-cert", "--out", out.toString()), err.toString());
        return out;
    }

    /** A certs.d directory holding only the certificate: the key beside it would be taken for a client key. */
    private Path clientCertDir(Path tls) throws Exception {
        Path certs = Files.createDirectories(temp.resolve("certs.d").resolve("registry"));
        Files.copy(tls.resolve("registry.crt"), certs.resolve("ca.crt"));
        return certs;
    }

    @Test
    void imagePushedAndPulledOverHttpsKeepsItsDigests() throws Exception {
        Path tls = devCert();
        Path certs = clientCertDir(tls);
        OciLayoutBuilder source = new OciLayoutBuilder(temp.resolve("source"), 11);
        OciLayoutBuilder.BuiltImage image = source.addImage("v1", 2);

        try (TlsTestServer server = TlsTestServer.start(temp.resolve("server"), tls.resolve("registry.crt"),
                tls.resolve("registry.key"))) {
            String reference = "docker://127.0.0.1:" + server.port() + "/team/app:v1";
            skopeo.pushVerifying(source.reference("v1"), reference, certs);

            assertEquals(image.manifest().digest(), Digests.sha256(skopeo.inspectRawVerifying(reference, certs)));
            Path copy = temp.resolve("copy");
            skopeo.pullVerifying(reference, "oci:" + copy + ":v1", certs);
            OciLayoutReader back = new OciLayoutReader(copy);
            assertEquals(image.manifest().digest(), back.digestOf("v1"));
            for (OciLayoutBuilder.Descriptor layer : image.layers()) {
                assertEquals(layer.digest(), Digests.sha256(back.blobPath(layer.digest())), "layer after the round trip");
            }
        }
    }

    @Test
    void withoutTheCertificateSkopeoRefusesTheRegistry() throws Exception {
        Path tls = devCert();
        try (TlsTestServer server = TlsTestServer.start(temp.resolve("server"), tls.resolve("registry.crt"),
                tls.resolve("registry.key"))) {
            CommandRunner.Result inspect = skopeo.tryInspectRawVerifying(
                    "docker://127.0.0.1:" + server.port() + "/team/app:v1");
            assertNotEquals(0, inspect.exitCode());
            assertTrue(inspect.stderr().contains("certificate"), inspect.stderr());
        }
    }
}
