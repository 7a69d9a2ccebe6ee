package io.stowage.server.tls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Mutual TLS: with a client CA configured, who may connect depends on the certificate it presents. */
// A server that stops answering must fail the test, not hang the build (a client waits for a body forever).
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MutualTlsTest {
    @TempDir
    Path dir;

    private final DevCertificate serverCertificate = TestPki.devCertificate();
    private final TestPki.Issued clientCa = TestPki.ca("Stowage test client CA");
    private final TestPki.Issued otherCa = TestPki.ca("Some other CA");

    private TlsTestServer start(String clientAuth) throws IOException {
        TestPki.write(serverCertificate, dir, "registry");
        Path ca = Files.writeString(dir.resolve("client-ca.crt"), TestPki.pem(clientCa.certificate()));
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "REGISTRY_TLS_CERT_FILE", dir.resolve("registry.crt").toString(),
                "REGISTRY_TLS_KEY_FILE", dir.resolve("registry.key").toString(),
                "REGISTRY_TLS_CLIENT_CA_FILE", ca.toString()));
        if (clientAuth != null) {
            env.put("REGISTRY_TLS_CLIENT_AUTH", clientAuth);
        }
        return TlsTestServer.start(dir, env);
    }

    private static int status(TlsTestServer server, SSLContext client) throws IOException, InterruptedException {
        return TlsClients.http(client).send(TlsClients.request(server.uri("/v2/")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private SSLContext withCertificateFrom(TestPki.Issued ca) {
        return TlsClients.trustingWithClientCertificate(List.of(serverCertificate.certificate()), TestPki.client("ci-bot", ca));
    }

    @Test
    void byDefaultAClientCaRequiresACertificateItSigned() throws Exception {
        try (TlsTestServer server = start(null)) {
            assertEquals(200, status(server, withCertificateFrom(clientCa)));
            assertThrows(IOException.class, () -> status(server, TlsClients.trusting(serverCertificate.certificate())),
                    "a client without a certificate");
            assertThrows(IOException.class, () -> status(server, withCertificateFrom(otherCa)),
                    "a client with a certificate from another CA");
        }
    }

    @Test
    void optionalLetsClientsWithoutACertificateInButStillRefusesAForeignOne() throws Exception {
        try (TlsTestServer server = start("optional")) {
            assertEquals(200, status(server, TlsClients.trusting(serverCertificate.certificate())));
            assertEquals(200, status(server, withCertificateFrom(clientCa)));
            assertThrows(IOException.class, () -> status(server, withCertificateFrom(otherCa)));
        }
    }
}
