package io.stowage.server.tls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.security.cert.X509Certificate;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A certificate renewed on disk reaches new connections of a running registry, while a
 * connection opened before keeps working with the certificate it started with.
 */
// A server that stops answering must fail the test, not hang the build (a client waits for a body forever).
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TlsReloadTest {
    private static final Duration PATIENCE = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void newConnectionsSeeTheReplacedCertificateAndAnOpenConnectionKeepsWorking() throws Exception {
        DevCertificate pairA = TestPki.devCertificate();
        DevCertificate pairB = TestPki.devCertificate();
        TestPki.write(pairA, dir, "registry");
        SSLContext trustsBoth = TlsClients.trusting(pairA.certificate(), pairB.certificate());

        try (TlsTestServer server = TlsTestServer.start(dir, dir.resolve("registry.crt"), dir.resolve("registry.key"));
             SSLSocket before = TlsClients.connect(trustsBoth, server.port())) {
            assertEquals(pairA.certificate(), TlsClients.peerCertificate(before));
            assertEquals(200, TlsClients.get(before, "/v2/"));

            TestPki.write(pairB, dir, "registry");
            awaitCertificate(trustsBoth, server.port(), pairB.certificate());

            assertEquals(200, TlsClients.get(before, "/v2/"), "the keep-alive connection opened before the change");
            assertEquals(pairA.certificate(), TlsClients.peerCertificate(before));
        }
    }

    /** Opens new connections until one presents {@code expected}; the check runs every 100 ms here. */
    private static void awaitCertificate(SSLContext client, int port, X509Certificate expected) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        X509Certificate seen = null;
        while (System.nanoTime() < deadline) {
            try (SSLSocket socket = TlsClients.connect(client, port)) {
                seen = TlsClients.peerCertificate(socket);
                if (seen.equals(expected)) {
                    assertEquals(200, TlsClients.get(socket, "/v2/"));
                    return;
                }
            }
            Thread.sleep(50);
        }
        fail("new connections still see " + (seen == null ? "nothing" : seen.getSerialNumber()) + " after "
                + PATIENCE.toSeconds() + " s, expected " + expected.getSerialNumber());
    }
}
