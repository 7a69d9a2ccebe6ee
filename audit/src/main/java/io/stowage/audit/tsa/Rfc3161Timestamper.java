package io.stowage.audit.tsa;

import io.stowage.audit.Timestamper;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.cmp.PKIStatus;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponse;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Obtains RFC 3161 time-stamp tokens from a time-stamping authority over HTTP(S), as in RFC 3161
 * section 3.4. Each request carries a fresh random nonce and asks for the TSA certificate, and
 * the reply is checked against the request (status, nonce, message imprint, policy) before its
 * token is handed out, so a stale, replayed or misrouted reply fails here rather than being
 * stored next to a checkpoint. The token's signature is deliberately not judged here: which TSA
 * certificate to trust is the verifier's decision, made with {@link TimestampTokens#verify}.
 *
 * <p>Every exchange is bounded by the configured timeout, end to end, because checkpoints wait
 * for it and a TSA that stops answering must not stall the audit log. Instances are thread-safe.
 */
public final class Rfc3161Timestamper implements Timestamper {
    static final String QUERY_TYPE = "application/timestamp-query";
    static final String REPLY_TYPE = "application/timestamp-reply";
    /** Real replies are a few KiB (token plus certificate chain); anything near this is not a reply. */
    private static final int MAX_REPLY_BYTES = 1 << 20;
    private static final int SHA256_LENGTH = 32;

    private final URI tsaUrl;
    private final Duration timeout;
    private final ASN1ObjectIdentifier policy;
    private final HttpClient http;
    private final SecureRandom random = new SecureRandom();

    /** A timestamper that accepts whatever policy the TSA applies by default. */
    public Rfc3161Timestamper(URI tsaUrl, Duration timeout) {
        this(tsaUrl, timeout, null);
    }

    /**
     * @param tsaUrl    the TSA endpoint, {@code http} or {@code https}
     * @param timeout   bound on a whole exchange (connect, send, reply); must be positive
     * @param policyOid the TSA policy to request, dotted decimal, or {@code null} for the TSA default
     */
    public Rfc3161Timestamper(URI tsaUrl, Duration timeout, String policyOid) {
        Objects.requireNonNull(tsaUrl, "tsaUrl");
        Objects.requireNonNull(timeout, "timeout");
        String scheme = tsaUrl.getScheme() == null ? "" : tsaUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("TSA URL must be http or https: " + tsaUrl);
        }
        if (tsaUrl.getHost() == null) {
            throw new IllegalArgumentException("TSA URL has no host: " + tsaUrl);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("TSA timeout must be positive: " + timeout);
        }
        this.tsaUrl = tsaUrl;
        this.timeout = timeout;
        this.policy = policyOid == null ? null : new ASN1ObjectIdentifier(policyOid);
        // HTTP/1.1 only: a single small POST gains nothing from HTTP/2, and skipping the h2c
        // upgrade offer keeps older TSA front ends from misreading the request.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .build();
    }

    @Override
    public byte[] timestamp(byte[] sha256) throws IOException {
        Objects.requireNonNull(sha256, "sha256");
        if (sha256.length != SHA256_LENGTH) {
            throw new IllegalArgumentException("a SHA-256 digest is 32 bytes, got " + sha256.length);
        }
        TimeStampRequest request = request(sha256);
        byte[] reply = exchange(request.getEncoded());
        TimeStampResponse response = parse(reply);
        requireGranted(response);
        try {
            response.validate(request);
        } catch (TSPException e) {
            throw new IOException("TSA " + tsaUrl + " answered with a reply that does not match the request: "
                    + e.getMessage(), e);
        }
        if (response.getTimeStampToken() == null) {
            throw new IOException("TSA " + tsaUrl + " granted the request but sent no token");
        }
        return response.getTimeStampToken().getEncoded();
    }

    private TimeStampRequest request(byte[] sha256) {
        TimeStampRequestGenerator generator = new TimeStampRequestGenerator();
        generator.setCertReq(true);
        if (policy != null) {
            generator.setReqPolicy(policy);
        }
        BigInteger nonce = new BigInteger(64, random);
        return generator.generate(TSPAlgorithms.SHA256, sha256.clone(), nonce);
    }

    private byte[] exchange(byte[] query) throws IOException {
        HttpRequest post = HttpRequest.newBuilder(tsaUrl)
                .timeout(timeout)
                .header("Content-Type", QUERY_TYPE)
                .header("Accept", REPLY_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(query))
                .build();
        CompletableFuture<HttpResponse<byte[]>> pending = http.sendAsync(post, Rfc3161Timestamper::replyBody);
        HttpResponse<byte[]> response;
        try {
            response = pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw timedOut(e);
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for TSA " + tsaUrl);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                throw timedOut(cause);
            }
            throw new IOException("exchange with TSA " + tsaUrl + " failed: " + cause, cause);
        }
        if (response.statusCode() != 200) {
            throw new IOException("TSA " + tsaUrl + " answered HTTP " + response.statusCode());
        }
        if (!isReply(response)) {
            throw new IOException("TSA " + tsaUrl + " answered Content-Type "
                    + response.headers().firstValue("Content-Type").orElse("(none)") + ", expected " + REPLY_TYPE);
        }
        return response.body();
    }

    /** Reads the body only of a reply worth parsing; error pages are discarded unread. */
    private static HttpResponse.BodySubscriber<byte[]> replyBody(HttpResponse.ResponseInfo info) {
        if (info.statusCode() == 200 && isReplyType(info.headers().firstValue("Content-Type").orElse(""))) {
            return new BoundedBody(MAX_REPLY_BYTES);
        }
        return HttpResponse.BodySubscribers.replacing(null);
    }

    private static boolean isReply(HttpResponse<?> response) {
        return isReplyType(response.headers().firstValue("Content-Type").orElse(""));
    }

    private static boolean isReplyType(String contentType) {
        int parameters = contentType.indexOf(';');
        String mediaType = parameters < 0 ? contentType : contentType.substring(0, parameters);
        return mediaType.trim().equalsIgnoreCase(REPLY_TYPE);
    }

    private TimeStampResponse parse(byte[] reply) throws IOException {
        try {
            return new TimeStampResponse(reply);
        } catch (TSPException | IOException | IllegalArgumentException | IllegalStateException e) {
            throw new IOException("TSA " + tsaUrl + " answered with a malformed time-stamp reply: " + e.getMessage(), e);
        }
    }

    private void requireGranted(TimeStampResponse response) throws IOException {
        int status = response.getStatus();
        if (status == PKIStatus.GRANTED || status == PKIStatus.GRANTED_WITH_MODS) {
            return;
        }
        String text = response.getStatusString();
        throw new IOException("TSA " + tsaUrl + " refused the request: " + PkiStatusText.status(status)
                + " (" + PkiStatusText.failure(response.getFailInfo()) + ")"
                + (text == null ? "" : ": " + text));
    }

    private HttpTimeoutException timedOut(Throwable cause) {
        HttpTimeoutException e = new HttpTimeoutException("TSA " + tsaUrl + " did not answer within " + timeout);
        e.initCause(cause);
        return e;
    }

    @Override
    public String toString() {
        return "Rfc3161Timestamper[" + tsaUrl + (policy == null ? "" : ", policy " + policy) + "]";
    }
}
