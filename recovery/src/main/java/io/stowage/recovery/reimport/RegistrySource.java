package io.stowage.recovery.reimport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.MediaTypes;
import io.stowage.storage.oci.Reference;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;

/**
 * Another registry as a source, over the OCI pull API: {@code GET /v2/<name>/manifests/<ref>}
 * with the Accept types of OCI and Docker manifests and indexes, {@code GET /v2/<name>/blobs/<digest>}
 * following redirects. Signs in the way the registry asks: a {@code 401} with a {@code Basic}
 * challenge gets the given user and password; a {@code Bearer} challenge sends them (if any) to
 * the token realm for a pull token of the repository, {@code token} or {@code access_token}.
 *
 * <p>Credentials never leave for another host: redirects (a blob store's presigned URL) are
 * followed without the {@code Authorization} header, and a token realm on plain HTTP is refused
 * for an HTTPS registry. Every request is bounded by the connect and answer timeouts; bytes are
 * not trusted (the importer verifies them). Used by one thread at a time.
 */
public final class RegistrySource implements ContentSource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCEPT = String.join(", ", MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
            MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST);
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_ERROR_BYTES = 4096;
    private static final long MAX_TOKEN_BYTES = 64 * 1024;

    private final URI base;
    private final String username;
    private final char[] password;
    private final Duration timeout;
    private final HttpClient http;
    /** The Authorization header that last worked (or was issued), reused until a 401 asks again. */
    private String authorization;

    /**
     * @param base     {@code http(s)://host[:port]} of the registry, without a path
     * @param username null for anonymous access
     * @param timeout  how long to wait to connect, for each answer's headers, and for the next bytes of a blob
     */
    public RegistrySource(URI base, String username, char[] password, Duration timeout) {
        this.base = Objects.requireNonNull(base);
        this.username = username;
        this.password = password == null ? new char[0] : password.clone();
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public SourceManifest manifest(String repository, Reference reference, long maxBytes) throws SourceException {
        URI uri = base.resolve("/v2/" + repository + "/manifests/" + reference);
        HttpResponse<InputStream> response = get(uri, repository, ACCEPT, true);
        try (InputStream body = response.body()) {
            requireOk(response, "manifest " + repository + ":" + reference, body);
            byte[] content = readAtMost(body, maxBytes);
            if (content == null) {
                throw SourceException.failed("manifest " + reference + " from " + describe() + " is larger than "
                        + maxBytes + " bytes");
            }
            String contentType = response.headers().firstValue("Content-Type").map(RegistrySource::bareType).orElse(null);
            return new SourceManifest(content, contentType);
        } catch (SourceException e) {
            throw e;
        } catch (IOException e) {
            throw new SourceException("reading manifest " + reference + " from " + describe() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public SourceBlob blob(String repository, Digest digest) throws SourceException {
        URI uri = base.resolve("/v2/" + repository + "/blobs/" + digest);
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            boolean sameRegistry = sameOrigin(uri);
            HttpResponse<InputStream> response = get(uri, repository, null, sameRegistry);
            int status = response.statusCode();
            if (status >= 300 && status < 400 && response.headers().firstValue("Location").isPresent()) {
                closeQuietly(response.body());
                uri = uri.resolve(response.headers().firstValue("Location").get());
                if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                    throw SourceException.failed("blob " + digest + " redirected to an unsupported URL scheme");
                }
                continue;
            }
            requireOk(response, "blob " + digest, response.body());
            long size = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            return new SourceBlob(new StallGuardedStream(response.body(), timeout), size);
        }
        throw SourceException.failed("blob " + digest + " from " + describe() + ": more than " + MAX_REDIRECTS + " redirects");
    }

    @Override
    public String describe() {
        return "registry " + base;
    }

    @Override
    public void close() {
        java.util.Arrays.fill(password, '\0');
    }

    /** A GET that answers a 401 challenge once (Basic or Bearer) and repeats itself. */
    private HttpResponse<InputStream> get(URI uri, String repository, String accept, boolean mayAuthenticate)
            throws SourceException {
        HttpResponse<InputStream> response = send(uri, accept, mayAuthenticate ? authorization : null);
        if (response.statusCode() != 401 || !mayAuthenticate) {
            return response;
        }
        closeQuietly(response.body());
        AuthChallenge challenge = AuthChallenge.parse(response.headers().firstValue("WWW-Authenticate").orElse(null));
        String answer = answer(challenge, repository);
        if (answer == null || answer.equals(authorization)) {
            throw SourceException.failed(describe() + " refused " + (authorization == null ? "anonymous access" :
                    "the credentials given") + " to " + repository + " (401)");
        }
        authorization = answer;
        response = send(uri, accept, authorization);
        if (response.statusCode() == 401) {
            closeQuietly(response.body());
            throw SourceException.failed(describe() + " refused the credentials given for " + repository + " (401)");
        }
        return response;
    }

    private String answer(AuthChallenge challenge, String repository) throws SourceException {
        if (challenge == null) {
            throw SourceException.failed(describe() + " answered 401 without a WWW-Authenticate challenge");
        }
        switch (challenge.scheme()) {
            case "basic":
                if (username == null) {
                    throw SourceException.failed(describe() + " asks for a user and password (Basic); none were given");
                }
                return basic();
            case "bearer":
                return "Bearer " + token(challenge, repository);
            default:
                throw SourceException.failed(describe() + " asks for an unsupported sign-in: " + challenge.scheme());
        }
    }

    /** Fetches a pull token from the challenge's realm, with the user's password if one was given. */
    private String token(AuthChallenge challenge, String repository) throws SourceException {
        String realm = challenge.param("realm");
        if (realm == null) {
            throw SourceException.failed(describe() + " sent a Bearer challenge without a realm");
        }
        URI realmUri;
        try {
            realmUri = base.resolve(realm);
        } catch (IllegalArgumentException e) {
            throw SourceException.failed(describe() + " sent a malformed token realm");
        }
        if (!"https".equals(realmUri.getScheme()) && !"http".equals(realmUri.getScheme())) {
            throw SourceException.failed(describe() + " sent a token realm that is not http(s)");
        }
        if ("https".equals(base.getScheme()) && !"https".equals(realmUri.getScheme()) && username != null) {
            throw SourceException.failed(describe() + " wants the password sent to a plain-HTTP token realm; refused");
        }
        String scope = challenge.param("scope") != null ? challenge.param("scope") : "repository:" + repository + ":pull";
        StringBuilder query = new StringBuilder();
        if (challenge.param("service") != null) {
            query.append("service=").append(encode(challenge.param("service"))).append('&');
        }
        query.append("scope=").append(encode(scope));
        URI tokenUri = URI.create(realmUri + (realmUri.getRawQuery() == null ? "?" : "&") + query);
        HttpResponse<InputStream> response = send(tokenUri, "application/json", username == null ? null : basic());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw SourceException.failed("the token endpoint of " + describe() + " answered " + response.statusCode()
                        + (username == null ? " to an anonymous request" : " for user " + username));
            }
            byte[] content = readAtMost(body, MAX_TOKEN_BYTES);
            JsonNode json = content == null ? null : JSON.readTree(content);
            String token = json == null ? null : json.hasNonNull("token") ? json.get("token").asText()
                    : json.hasNonNull("access_token") ? json.get("access_token").asText() : null;
            if (token == null || token.isBlank()) {
                throw SourceException.failed("the token endpoint of " + describe() + " sent no token");
            }
            return token;
        } catch (SourceException e) {
            throw e;
        } catch (IOException e) {
            throw new SourceException("the token endpoint of " + describe() + " sent no readable token: " + e.getMessage(), e);
        }
    }

    private HttpResponse<InputStream> send(URI uri, String accept, String auth) throws SourceException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET()
                .header("User-Agent", "stowage-reimport");
        if (accept != null) {
            request.header("Accept", accept);
        }
        if (auth != null) {
            request.header("Authorization", auth);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceException("interrupted while fetching from " + describe(), e);
        } catch (IOException e) {
            throw new SourceException("cannot reach " + uri.getScheme() + "://" + uri.getAuthority() + ": " + e, e);
        }
    }

    private void requireOk(HttpResponse<InputStream> response, String what, InputStream body) throws SourceException {
        int status = response.statusCode();
        if (status == 200) {
            return;
        }
        String code = errorCode(body);
        closeQuietly(body);
        String message = what + " from " + describe() + ": status " + status + (code == null ? "" : " " + code);
        if (status == 404) {
            throw SourceException.notFound(message);
        }
        throw SourceException.failed(message);
    }

    /** The first OCI error code of an error body, if it has one; never more than a few KiB read. */
    private static String errorCode(InputStream body) {
        try {
            byte[] content = body.readNBytes(MAX_ERROR_BYTES);
            JsonNode code = JSON.readTree(content).path("errors").path(0).path("code");
            return code.isTextual() ? code.asText() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private boolean sameOrigin(URI uri) {
        return Objects.equals(base.getScheme(), uri.getScheme()) && Objects.equals(base.getHost(), uri.getHost())
                && base.getPort() == uri.getPort();
    }

    private String basic() {
        byte[] pair = (username + ":" + new String(password)).getBytes(StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString(pair);
    }

    /** The whole stream if it is at most {@code max} bytes, else null. */
    private static byte[] readAtMost(InputStream in, long max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            total += n;
            if (total > max) {
                return null;
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static String bareType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // Only freeing the connection.
        }
    }
}
