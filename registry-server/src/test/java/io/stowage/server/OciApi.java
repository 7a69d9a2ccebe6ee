package io.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stowage.storage.oci.Digest;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Raw HTTP helpers for the API tests: requests against a {@link TestRegistry}, and small fixtures. */
public final class OciApi {
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    private final TestRegistry registry;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public OciApi(TestRegistry registry) {
        this.registry = registry;
    }

    public HttpResponse<byte[]> send(String method, String path, byte[] body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(registry.uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    public HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        return send("GET", path, null, headers);
    }

    /** Pushes a blob monolithically and returns its digest. */
    public Digest pushBlob(String repository, byte[] content) throws IOException, InterruptedException {
        Digest digest = Digest.sha256(content);
        HttpResponse<byte[]> response = send("POST", "/v2/" + repository + "/blobs/uploads/?digest=" + digest, content,
                "Content-Type", "application/octet-stream");
        assertEquals(201, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
        return digest;
    }

    /** An OCI image manifest over the given config and layers (sizes taken from the bytes). */
    public static byte[] imageManifest(byte[] config, List<byte[]> layers, String subjectDigest, int subjectSize) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",");
        json.append("\"config\":").append(descriptor("application/vnd.oci.image.config.v1+json", config)).append(",\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            json.append(i > 0 ? "," : "").append(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layers.get(i)));
        }
        json.append("]");
        if (subjectDigest != null) {
            json.append(",\"subject\":{\"mediaType\":\"").append(OCI_MANIFEST).append("\",\"digest\":\"")
                    .append(subjectDigest).append("\",\"size\":").append(subjectSize).append("}");
        }
        json.append("}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static String descriptor(String mediaType, byte[] content) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + Digest.sha256(content) + "\",\"size\":" + content.length + "}";
    }

    public static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    public static JsonNode json(HttpResponse<byte[]> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /** The OCI error code of an error response. */
    public static String errorCode(HttpResponse<byte[]> response) throws IOException {
        return json(response).path("errors").path(0).path("code").asText();
    }

    /** Pushes config + layers + manifest under a tag; returns the manifest digest. */
    public Digest pushImage(String repository, String tag, long seed) throws IOException, InterruptedException {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":" + seed + "}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = randomBytes(1000 + (int) (seed % 1000), seed);
        pushBlob(repository, config);
        pushBlob(repository, layer);
        byte[] manifest = imageManifest(config, List.of(layer), null, 0);
        HttpResponse<byte[]> response = send("PUT", "/v2/" + repository + "/manifests/" + tag, manifest, "Content-Type", OCI_MANIFEST);
        assertEquals(201, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
        return Digest.sha256(manifest);
    }

    /** The digest a tag points at now, read with HEAD. */
    public Digest tagDigest(String repository, String tag) throws IOException, InterruptedException {
        HttpResponse<byte[]> head = send("HEAD", "/v2/" + repository + "/manifests/" + tag, null);
        assertEquals(200, head.statusCode());
        return Digest.parse(head.headers().firstValue("Docker-Content-Digest").orElseThrow());
    }
}
