package io.stowage.server.hardening;

import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that hold the server without moving are cut off, and a client cannot take more than
 * its share of connections or uploads; the limits are set small here so the test is quick.
 */
class ConnectionLimitsTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry(config -> {
        config.limits.maxConnectionsPerAddress = 6;
        config.limits.maxConcurrentUploads = 2;
        config.limits.idleTimeout = Duration.ofSeconds(2);
        config.limits.headerTimeout = Duration.ofSeconds(2);
        config.limits.bodyIdleTimeout = Duration.ofSeconds(2);
        config.limits.maxBodyDuration = Duration.ofSeconds(4);
    });
    private final OciApi api = new OciApi(registry);

    @Test
    void slowHeadersAreCutOff() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write("GET /v2/ HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            // A byte of a header every 300 ms: never idle, never done.
            boolean closed = false;
            for (int i = 0; i < 40 && !closed; i++) {
                try {
                    out.write('X');
                    out.flush();
                    Thread.sleep(300);
                    closed = closedByServer(socket, 1);
                } catch (SocketException reset) {
                    closed = true;
                }
            }
            assertTrue(closed, "a request whose headers trickle in is closed");
        }
    }

    @Test
    void idleKeepAliveConnectionsAreClosedAfterAnswering() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = readSome(socket);
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(closedByServer(socket, 10_000), "an idle keep-alive connection is closed");
        }
    }

    @Test
    void aStalledUploadIsCutOffAndItsUploadSlotFreed() throws Exception {
        String location = startUpload();
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                stalled.add(stalledPatch(location, i));
            }
            // Both slots are held by bodies that stopped: the third upload must wait its turn.
            HttpResponse<byte[]> refused = api.send("POST", "/v2/limits/app/blobs/uploads/", new byte[0]);
            assertEquals(429, refused.statusCode());
            assertEquals("TOOMANYREQUESTS", OciApi.errorCode(refused));
            assertEquals("1", refused.headers().firstValue("Retry-After").orElseThrow());
            for (Socket socket : stalled) {
                assertTrue(closedByServer(socket, 10_000), "a body that stopped arriving is cut off");
            }
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
        // The slots are free again; the cut-off chunks left nothing in their sessions.
        HttpResponse<byte[]> started = api.send("POST", "/v2/limits/app/blobs/uploads/", new byte[0]);
        assertEquals(202, started.statusCode());
        assertEquals("0-0", api.get(location).headers().firstValue("Range").orElse("0-0"));
    }

    @Test
    void aBodyThatKeepsTricklingIsCutOffAtTheLimit() throws Exception {
        String location = startUpload();
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(("PATCH " + location + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            boolean closed = false;
            for (int i = 0; i < 60 && !closed; i++) {
                try {
                    out.write(new byte[10]);
                    out.flush();
                    Thread.sleep(250);
                    closed = closedByServer(socket, 1);
                } catch (SocketException reset) {
                    closed = true;
                }
            }
            assertTrue(closed, "a body still arriving after maxBodyDuration is cut off");
        }
    }

    @Test
    void oneAddressGetsAtMostItsShareOfConnections() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                held.add(connect());
            }
            try (Socket extra = connect()) {
                String answer = readSome(extra);
                assertTrue(answer.startsWith("HTTP/1.1 429"), answer);
                assertTrue(answer.contains("Retry-After: 1"), answer);
                assertTrue(answer.contains("TOOMANYREQUESTS"), answer);
            }
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
        // Closed connections are counted out again (the server notices them shortly).
        boolean served = false;
        for (int i = 0; i < 50 && !served; i++) {
            served = api.get("/v2/").statusCode() == 200;
            if (!served) {
                Thread.sleep(100);
            }
        }
        assertTrue(served);
    }

    private String startUpload() throws Exception {
        HttpResponse<byte[]> started = api.send("POST", "/v2/limits/app/blobs/uploads/", new byte[0]);
        assertEquals(202, started.statusCode());
        return started.headers().firstValue("Location").orElseThrow();
    }

    /** A PATCH that announces 1000 bytes, sends 10 and stops. */
    private Socket stalledPatch(String location, int n) throws Exception {
        String target = n == 0 ? location : startUpload();
        Socket socket = connect();
        socket.getOutputStream().write(("PATCH " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
                + "0123456789").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        Thread.sleep(200);
        return socket;
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", registry.registry().address().getPort()), 5_000);
        return socket;
    }

    /** Whether the server closes the connection within {@code millis}, reading and dropping any answer. */
    private static boolean closedByServer(Socket socket, int millis) throws IOException {
        socket.setSoTimeout(millis);
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        try {
            while (true) {
                if (in.read(buffer) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException open) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    private static String readSome(Socket socket) throws IOException {
        socket.setSoTimeout(5_000);
        byte[] buffer = new byte[4096];
        int n = socket.getInputStream().read(buffer);
        return n < 0 ? "" : new String(buffer, 0, n, StandardCharsets.US_ASCII);
    }
}
