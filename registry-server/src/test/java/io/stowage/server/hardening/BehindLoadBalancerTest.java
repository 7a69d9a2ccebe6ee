package io.stowage.server.hardening;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditRecord;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.server.audit.AuditTrail;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A registry behind a load balancer (here: the test, connecting from 127.0.0.1, configured as a
 * trusted proxy) records the client the balancer names, and does not count the balancer's many
 * connections as one client's; a registry that trusts nobody records the peer, whatever a client
 * writes into {@code X-Forwarded-For}.
 */
class BehindLoadBalancerTest {
    @RegisterExtension
    static final TestRegistry behindBalancer = new TestRegistry(config -> {
        config.http.trustedProxies = List.of("127.0.0.1/32");
        config.limits.maxConnectionsPerAddress = 2;
    });

    @RegisterExtension
    static final TestRegistry direct = new TestRegistry();

    @Test
    void theAuditLogNamesTheClientTheBalancerForwarded() throws Exception {
        OciApi api = new OciApi(behindBalancer);
        HttpResponse<byte[]> answer = api.get("/v2/", "X-Forwarded-For", "198.51.100.1, 203.0.113.9");
        assertEquals(200, answer.statusCode());
        assertEquals("203.0.113.9", remoteOf(behindBalancer, answer));
    }

    @Test
    void aClientCannotChooseItsRecordedAddressWhereNobodyIsTrusted() throws Exception {
        OciApi api = new OciApi(direct);
        HttpResponse<byte[]> answer = api.get("/v2/", "X-Forwarded-For", "203.0.113.9");
        assertEquals(200, answer.statusCode());
        assertEquals("127.0.0.1", remoteOf(direct, answer));
    }

    @Test
    void theBalancersConnectionsAreNotCappedAsOneClients() throws Exception {
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), behindBalancer.registry().address().getPort());
                socket.setSoTimeout(5_000);
                open.add(socket);
            }
            for (Socket socket : open) {
                socket.getOutputStream().write("GET /v2/ HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                assertTrue(statusLine(socket).startsWith("HTTP/1.1 200"), "more connections than the per-address limit");
            }
        } finally {
            for (Socket socket : open) {
                socket.close();
            }
        }
    }

    private static String remoteOf(TestRegistry registry, HttpResponse<byte[]> answer) throws Exception {
        String requestId = answer.headers().firstValue("X-Request-Id").orElseThrow();
        AuditTrail trail = new AuditTrail(registry.dataDir());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<AuditRecord> found = trail.records(r -> requestId.equals(r.entry().requestId())
                    && AuditEntry.REQUEST.equals(r.entry().kind()));
            if (!found.isEmpty()) {
                return found.get(0).entry().remoteAddr();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no audit record of " + requestId);
    }

    private static String statusLine(Socket socket) throws Exception {
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            line.append((char) c);
        }
        return line.toString();
    }
}
