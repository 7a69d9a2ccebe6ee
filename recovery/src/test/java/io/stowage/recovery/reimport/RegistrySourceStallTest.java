package io.stowage.recovery.reimport;

import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A source that stops sending in the middle of a blob is cut off, not waited for until TCP gives up. */
class RegistrySourceStallTest {

    @Test
    void aBlobBodyThatStopsIsCutOffAfterTheTimeout() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread stalling = new Thread(() -> answerThenStall(server, done), "stalling-source");
            stalling.setDaemon(true);
            stalling.start();
            URI base = URI.create("http://127.0.0.1:" + server.getLocalPort());
            Digest digest = Digest.sha256("whatever".getBytes(StandardCharsets.UTF_8));
            try (RegistrySource source = new RegistrySource(base, null, null, Duration.ofSeconds(1))) {
                IOException cut = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                    try (ContentSource.SourceBlob blob = source.blob("team/app", digest)) {
                        InputStream in = blob.stream();
                        return assertThrows(IOException.class, () -> {
                            byte[] buffer = new byte[4096];
                            while (in.read(buffer) >= 0) {
                                // drain until the guard cuts the stream off
                            }
                        });
                    }
                });
                assertTrue(cut.getMessage().contains("sent nothing"), cut.getMessage());
            } finally {
                done.countDown();
            }
        }
    }

    /** Answers the first request with 10 of 1,000 promised bytes, then sends nothing until the test ends. */
    private static void answerThenStall(ServerSocket server, CountDownLatch done) {
        try (Socket socket = server.accept()) {
            InputStream request = socket.getInputStream();
            byte[] head = new byte[4096];
            request.read(head); // the GET; its content does not matter here
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n"
                    + "0123456789").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            done.await(30, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException ignored) {
            // the test is over
        }
    }
}
