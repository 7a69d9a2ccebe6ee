package io.stowage.server.tls;

import ch.qos.logback.classic.Level;
import io.stowage.server.OciApi;
import io.stowage.server.e2e.OciHttpClient;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry served over HTTPS with a development certificate: the OCI API works through TLS,
 * blobs arrive intact although they cannot be sent with zero copy, and what the policy forbids
 * (old protocols, CBC suites, plain HTTP on the TLS port) is refused without noise.
 */
// A server that stops answering must fail the test, not hang the build (a client waits for a body forever).
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TlsServerTest {
    @TempDir
    static Path dir;

    private static TlsTestServer server;
    private static DevCertificate certificate;
    private static SSLContext trusting;

    @BeforeAll
    static void start() {
        certificate = TestPki.devCertificate();
        TestPki.write(certificate, dir, "registry");
        server = TlsTestServer.start(dir, dir.resolve("registry.crt"), dir.resolve("registry.key"));
        trusting = TlsClients.trusting(certificate.certificate());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void anImageIsPushedAndPulledOverHttps() throws Exception {
        OciHttpClient client = new OciHttpClient(server.uri("/"), trusting);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = OciApi.randomBytes(300_000, 1);
        client.pushBlob("team/app", config);
        client.pushBlobInChunks("team/app", layer, 64 * 1024);
        byte[] manifest = OciApi.imageManifest(config, List.of(layer), null, 0);
        client.pushManifest("team/app", "v1", OciApi.OCI_MANIFEST, manifest);

        OciHttpClient.ManifestRead read = client.getManifest("team/app", "v1", OciApi.OCI_MANIFEST);
        assertEquals(200, read.status());
        assertArrayEquals(manifest, read.body());
        assertEquals(Digest.sha256(manifest).toString(), read.dockerContentDigest());
        for (byte[] blob : List.of(config, layer)) {
            OciHttpClient.BlobRead got = client.getBlob("team/app", Digest.sha256(blob).toString());
            assertEquals(200, got.status(), got.errorBody());
            assertEquals(Digest.sha256(blob).toString(), got.digest());
            assertEquals(blob.length, got.length());
        }
    }

    @Test
    void aMultiMebibyteBlobAndARangeOfItArriveIntactThroughTls() throws Exception {
        byte[] blob = OciApi.randomBytes(6 * 1024 * 1024 + 123, 2);
        String digest = new OciHttpClient(server.uri("/"), trusting).pushBlob("team/big", blob);
        HttpClient http = TlsClients.http(trusting);
        String path = "/v2/team/big/blobs/" + digest;

        HttpResponse<byte[]> whole = http.send(TlsClients.request(server.uri(path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, whole.statusCode());
        assertEquals(digest, Digest.sha256(whole.body()).toString());

        int from = 1_000_003;
        int to = 4_500_000; // inclusive
        HttpResponse<byte[]> range = http.send(TlsClients.request(server.uri(path))
                .header("Range", "bytes=" + from + "-" + to).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, range.statusCode());
        assertEquals("bytes " + from + "-" + to + "/" + blob.length, range.headers().firstValue("Content-Range").orElse(""));
        assertArrayEquals(Arrays.copyOfRange(blob, from, to + 1), range.body());
    }

    @Test
    void alpnSettlesOnHttp11ForClientsThatOfferH2() throws Exception {
        try (SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket()) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            socket.setSSLParameters(parameters);
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            assertEquals("http/1.1", socket.getApplicationProtocol());
            assertEquals(200, TlsClients.get(socket, "/v2/"));
        }
        // The JDK client asks for HTTP/2 by default and must settle on HTTP/1.1 without an error.
        HttpResponse<String> response = TlsClients.http(trusting).send(
                TlsClients.request(server.uri("/v2/")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals(HttpClient.Version.HTTP_1_1, response.version());
    }

    @Test
    void tls11IsRefusedWhileTls12WithAnAeadSuiteIsAccepted() throws Exception {
        assertEquals(ClientHellos.Answer.SERVER_HELLO, ClientHellos.offer(server.port(), ClientHellos.TLS_1_2,
                ClientHellos.ECDHE_ECDSA_AES_128_GCM_SHA256), "the hand-made hello works when its offer is acceptable");
        assertNotEquals(ClientHellos.Answer.SERVER_HELLO, ClientHellos.offer(server.port(), ClientHellos.TLS_1_1,
                ClientHellos.ECDHE_ECDSA_AES_128_CBC_SHA));
    }

    @Test
    void cbcSuitesAreRefusedEvenUnderTls12() throws Exception {
        assertNotEquals(ClientHellos.Answer.SERVER_HELLO, ClientHellos.offer(server.port(), ClientHellos.TLS_1_2,
                ClientHellos.ECDHE_ECDSA_AES_128_CBC_SHA256));
    }

    @Test
    void plainHttpOnTheTlsPortIsDisconnectedWithoutAWarningAndServingGoesOn() throws Exception {
        byte[] answer;
        try (LogCapture logs = new LogCapture()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                answer = readUntilClosed(socket.getInputStream());
            }
            // Served after the refused connection, so anything it logged is in by now.
            assertEquals(200, TlsClients.http(trusting).send(TlsClients.request(server.uri("/v2/")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            assertEquals(List.of(), logs.atOrAbove(Level.WARN));
        }
        assertFalse(new String(answer, StandardCharsets.ISO_8859_1).contains("HTTP/"),
                "a plain-HTTP client gets no HTTP answer on the TLS port");
        assertTrue(answer.length == 0 || answer[0] == 21, "nothing, or a TLS alert record");
    }

    /** Everything the server sends until it closes; a reset counts as closed. */
    private static byte[] readUntilClosed(InputStream in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
        } catch (IOException reset) {
            // The server closed with unread bytes in its buffer: a reset, which is a disconnect too.
        }
        return out.toByteArray();
    }
}
