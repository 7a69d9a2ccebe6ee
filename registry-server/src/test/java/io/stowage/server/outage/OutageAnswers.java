package io.stowage.server.outage;

import io.stowage.server.OciApi;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a request must get while a backend is down: 503 UNAVAILABLE naming it, with Retry-After. */
public final class OutageAnswers {
    private OutageAnswers() {
    }

    /** @param backend the name the message must carry: "object store" or "metadata database" */
    public static void assertUnavailable(HttpResponse<byte[]> response, String backend) throws IOException {
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(503, response.statusCode(), body);
        assertEquals("UNAVAILABLE", OciApi.errorCode(response), body);
        assertTrue(body.contains(backend), body);
        assertTrue(response.headers().firstValue("Retry-After").isPresent(), "tells the client when to retry");
    }
}
