package io.stowage.server.e2e;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A minimal OCI Distribution client over the JDK {@link HttpClient}: the push and pull calls a
 * registry client makes, with the status codes the spec requires checked on every step.
 *
 * <ul>
 *   <li>{@link #pushBlob}: {@code POST /v2/<name>/blobs/uploads/} (202 + {@code Location}), then
 *       {@code PUT <location>?digest=} with the whole body (201);</li>
 *   <li>{@link #pushBlobInChunks}: the same {@code POST}, then one {@code PATCH} per chunk with
 *       {@code Content-Range: start-end} (202, following each new {@code Location}), then an empty
 *       {@code PUT ?digest=} (201);</li>
 *   <li>{@link #pushManifest}: {@code PUT /v2/<name>/manifests/<reference>} (201);</li>
 *   <li>{@link #getBlob} hashes the body as it streams in, so large blobs cost no heap;
 *       {@link #getManifest} returns the exact bytes.</li>
 * </ul>
 *
 * <p>HTTP/1.1 only (no h2c upgrade attempt), plain or over TLS, every request with a timeout. A response with an
 * unexpected status raises {@link UnexpectedStatusException}. Thread-safe: one instance can serve
 * many threads, as a load generator needs.
 */
public final class OciHttpClient {

    private static final int MAX_ERROR_BODY_CHARS = 2_000;

    private final URI baseUri;
    private final Duration requestTimeout;
    private final HttpClient http;

    public OciHttpClient(URI baseUri) {
        this(baseUri, Duration.ofSeconds(30));
    }

    public OciHttpClient(URI baseUri, Duration requestTimeout) {
        this(baseUri, requestTimeout, null);
    }

    /** A client for an {@code https://} registry that trusts what {@code tls} trusts. */
    public OciHttpClient(URI baseUri, SSLContext tls) {
        this(baseUri, Duration.ofSeconds(30), tls);
    }

    private OciHttpClient(URI baseUri, Duration requestTimeout, SSLContext tls) {
        this.baseUri = baseUri;
        this.requestTimeout = requestTimeout;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NORMAL);
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.http = builder.build();
    }

    /** Uploads a blob with {@code POST} then one {@code PUT ?digest=}; returns its digest. */
    public String pushBlob(String repository, byte[] content) throws IOException, InterruptedException {
        return pushBlob(repository, Digests.sha256(content), content);
    }

    /** As {@link #pushBlob(String, byte[])}, for a caller that already knows the digest. */
    public String pushBlob(String repository, String digest, byte[] content)
            throws IOException, InterruptedException {
        URI session = startUpload(repository);
        HttpResponse<String> put = send(request(withDigest(session, digest))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
        expect(put, 201, "PUT blob " + digest + " to " + repository);
        return digest;
    }

    /** Uploads a blob in {@code PATCH} chunks of {@code chunkSize} bytes then closes it with an empty {@code PUT}. */
    public String pushBlobInChunks(String repository, byte[] content, int chunkSize)
            throws IOException, InterruptedException {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunk size must be positive");
        }
        String digest = Digests.sha256(content);
        URI location = startUpload(repository);
        for (int start = 0; start < content.length; start += chunkSize) {
            int end = Math.min(content.length, start + chunkSize); // exclusive
            HttpResponse<String> patch = send(request(location)
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Range", start + "-" + (end - 1))
                    .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(content, start, end - start)));
            expect(patch, 202, "PATCH bytes " + start + "-" + (end - 1) + " of " + digest + " to " + repository);
            location = location(patch, location);
        }
        HttpResponse<String> put = send(request(withDigest(location, digest))
                .PUT(HttpRequest.BodyPublishers.noBody()));
        expect(put, 201, "PUT closing chunked upload of " + digest + " to " + repository);
        return digest;
    }

    /** Pushes a manifest under a tag or digest; returns the digest of the bytes sent. */
    public String pushManifest(String repository, String reference, String mediaType, byte[] manifest)
            throws IOException, InterruptedException {
        HttpResponse<String> put = send(request(v2(repository, "manifests/" + reference))
                .header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
        expect(put, 201, "PUT manifest " + reference + " to " + repository);
        return Digests.sha256(manifest);
    }

    /** {@code GET} a blob, hashing the body as it arrives; any status is returned, none raises. */
    public BlobRead getBlob(String repository, String digest) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(request(v2(repository, "blobs/" + digest)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                String text = new String(body.readNBytes(MAX_ERROR_BODY_CHARS), StandardCharsets.UTF_8);
                return new BlobRead(response.statusCode(), null, -1, text);
            }
            Digests.Hashed hashed = Digests.sha256(body);
            return new BlobRead(200, hashed.digest(), hashed.length(), "");
        }
    }

    /** {@code GET} a manifest with the given {@code Accept} media types; any status is returned, none raises. */
    public ManifestRead getManifest(String repository, String reference, String... accept)
            throws IOException, InterruptedException {
        HttpRequest.Builder get = request(v2(repository, "manifests/" + reference)).GET();
        if (accept.length > 0) {
            get.header("Accept", String.join(", ", accept));
        }
        HttpResponse<byte[]> response = http.send(get.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new ManifestRead(response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(null),
                response.headers().firstValue("Docker-Content-Digest").orElse(null),
                response.body());
    }

    private URI startUpload(String repository) throws IOException, InterruptedException {
        HttpResponse<String> post = send(request(v2(repository, "blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        expect(post, 202, "POST upload to " + repository);
        return location(post, null);
    }

    private URI location(HttpResponse<?> response, URI previous) throws UnexpectedStatusException {
        String location = response.headers().firstValue("Location").orElse(null);
        if (location == null) {
            if (previous != null) {
                return previous;
            }
            throw new UnexpectedStatusException(response.request().method() + " " + response.uri()
                    + " answered " + response.statusCode() + " without a Location header", response.statusCode(), "");
        }
        // The spec allows an absolute URL or a path; both resolve against the request's URI.
        return response.uri().resolve(location);
    }

    private URI v2(String repository, String rest) {
        return baseUri.resolve("/v2/" + repository + "/" + rest);
    }

    private static URI withDigest(URI location, String digest) {
        String separator = location.getRawQuery() == null ? "?" : "&";
        return URI.create(location + separator + "digest=" + digest);
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(requestTimeout);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static void expect(HttpResponse<String> response, int status, String what)
            throws UnexpectedStatusException {
        if (response.statusCode() != status) {
            String body = response.body() == null ? "" : response.body();
            if (body.length() > MAX_ERROR_BODY_CHARS) {
                body = body.substring(0, MAX_ERROR_BODY_CHARS) + "...";
            }
            throw new UnexpectedStatusException(what + ": expected " + status + ", got " + response.statusCode()
                    + " " + body, response.statusCode(), body);
        }
    }

    /** A blob {@code GET}: for 200 the digest and length of the body, otherwise the error text. */
    public record BlobRead(int status, String digest, long length, String errorBody) {
    }

    /** A manifest {@code GET}: status, headers that matter and the exact body. */
    public record ManifestRead(int status, String contentType, String dockerContentDigest, byte[] body) {

        @Override
        public String toString() {
            return "ManifestRead[status=" + status + ", contentType=" + contentType + ", dockerContentDigest="
                    + dockerContentDigest + ", " + body.length + " bytes]";
        }
    }

    /** A registry answered with a status the protocol step does not allow. */
    public static final class UnexpectedStatusException extends IOException {

        private final int status;
        private final String body;

        UnexpectedStatusException(String message, int status, String body) {
            super(message);
            this.status = status;
            this.body = body;
        }

        public int status() {
            return status;
        }

        public String body() {
            return body;
        }
    }
}
