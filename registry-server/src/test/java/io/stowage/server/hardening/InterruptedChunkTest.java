package io.stowage.server.hardening;

import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A chunk is stored whole or not at all: a request cut off mid-body leaves the session as it was. */
class InterruptedChunkTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry();
    private final OciApi api = new OciApi(registry);

    @Test
    void aChunkCutOffMidBodyLeavesTheSessionWhereItWas() throws Exception {
        HttpResponse<byte[]> started = api.send("POST", "/v2/cut/app/blobs/uploads/", new byte[0]);
        String location = started.headers().firstValue("Location").orElseThrow();
        byte[] first = OciApi.randomBytes(5000, 1);
        HttpResponse<byte[]> chunk = api.send("PATCH", location, first, "Content-Range", "0-4999");
        assertEquals(202, chunk.statusCode());
        assertEquals("0-4999", chunk.headers().firstValue("Range").orElseThrow());

        // 300 of 1000 announced bytes, then the client is gone.
        byte[] head = ("PATCH " + location + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Range: 5000-5999\r\n"
                + "Content-Length: 1000\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] partial = new byte[head.length + 300];
        System.arraycopy(head, 0, partial, 0, head.length);
        RawHttp.Answer answer = new RawHttp(registry.registry().address().getPort()).exchange(partial, true);
        assertEquals(-1, answer.status(), "no answer to a request whose body never ended");

        // The cut-back happens when the server notices the hang-up: wait for it, bounded.
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        String range;
        do {
            range = api.get(location).headers().firstValue("Range").orElse("(session busy)");
        } while (!range.equals("0-4999") && Instant.now().isBefore(deadline) && sleep());
        assertEquals("0-4999", range, "the 300 bytes of the cut request are gone");

        byte[] second = OciApi.randomBytes(1000, 2);
        assertEquals(202, api.send("PATCH", location, second, "Content-Range", "5000-5999").statusCode());
        byte[] whole = new byte[6000];
        System.arraycopy(first, 0, whole, 0, 5000);
        System.arraycopy(second, 0, whole, 5000, 1000);
        Digest digest = Digest.sha256(whole);
        String separator = location.contains("?") ? "&" : "?";
        assertEquals(201, api.send("PUT", location + separator + "digest=" + digest, new byte[0]).statusCode());
        HttpResponse<byte[]> blob = api.get("/v2/cut/app/blobs/" + digest);
        assertEquals(200, blob.statusCode());
        assertTrue(java.util.Arrays.equals(whole, blob.body()), "the blob is exactly the two whole chunks");
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(50);
        return true;
    }
}
