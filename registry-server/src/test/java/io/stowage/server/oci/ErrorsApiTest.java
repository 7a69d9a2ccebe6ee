package io.stowage.server.oci;

import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;

import static io.stowage.server.OciApi.errorCode;
import static io.stowage.server.OciApi.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorsApiTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry();
    private final OciApi api = new OciApi(registry);

    @Test
    void unknownRouteIs404WithOciErrorBody() throws Exception {
        HttpResponse<byte[]> response = api.get("/v2/some/repo/nonsense");
        assertEquals(404, response.statusCode());
        assertTrue(json(response).path("errors").path(0).has("message"));
        assertEquals(404, api.get("/nothing-here").statusCode());
    }

    @Test
    void wrongMethodIs405WithAllowHeader() throws Exception {
        HttpResponse<byte[]> response = api.send("POST", "/v2/some/repo/tags/list", new byte[0]);
        assertEquals(405, response.statusCode());
        assertEquals("UNSUPPORTED", errorCode(response));
        assertEquals("GET", response.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void invalidRepositoryNamesAreNameInvalid() throws Exception {
        for (String name : new String[]{"UPPER/case", "a//b", "-leading", "trailing-", "a..b"}) {
            HttpResponse<byte[]> response = api.get("/v2/" + name + "/tags/list");
            assertEquals(400, response.statusCode(), name);
            assertEquals("NAME_INVALID", errorCode(response), name);
        }
    }

    @Test
    void invalidTagIsRejected() throws Exception {
        HttpResponse<byte[]> response = api.send("PUT", "/v2/ok/repo/manifests/-bad", "{}".getBytes(), "Content-Type",
                OciApi.OCI_MANIFEST);
        assertEquals(400, response.statusCode());
    }

    @Test
    void serverKeepsServingAfterGarbage() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", registry.uri("/").getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("THIS IS NOT HTTP\r\n\r\n".getBytes());
            socket.getOutputStream().flush();
            byte[] answer = socket.getInputStream().readNBytes(12);
            assertTrue(new String(answer).startsWith("HTTP/1.1 4"), new String(answer));
        }
        assertEquals(200, api.get("/v2/").statusCode());
    }
}
