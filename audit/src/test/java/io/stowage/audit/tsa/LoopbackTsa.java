package io.stowage.audit.tsa;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.cmp.PKIFailureInfo;
import org.bouncycastle.asn1.cmp.PKIStatus;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponseGenerator;
import org.bouncycastle.tsp.TimeStampTokenGenerator;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real RFC 3161 time-stamping authority on 127.0.0.1, so the timestamper is tested over an
 * actual HTTP exchange rather than against a stand-in. It signs with a fresh EC P-256 key whose
 * self-signed certificate carries the critical id-kp-timeStamping extended key usage that
 * RFC 3161 section 2.3 demands, and it can be told to misbehave the ways real TSAs do.
 */
final class LoopbackTsa implements AutoCloseable {
    /** How the TSA answers the next requests. */
    enum Answer {
        /** A granted reply with a token over the requested digest. */
        GRANT,
        /** HTTP 200 carrying PKIStatus rejection with failure info badAlg. */
        REJECT,
        /** HTTP 500 with a text body, as a broken front end would. */
        HTTP_500,
        /** A granted reply, but for a request with another nonce: a replayed or misrouted reply. */
        OTHER_NONCE,
        /** HTTP 200 with a text/html body, as a captive portal or wrong URL would. */
        HTML,
        /** HTTP 200 with the reply content type but two MiB of zeros: no TSA reply is that big. */
        HUGE,
        /** Never answers until the fixture is closed (bounded at {@link #HANG_LIMIT}). */
        HANG,
    }

    static final String POLICY = "2.999.1";
    private static final Duration HANG_LIMIT = Duration.ofSeconds(30);
    private static final String SIGNATURE = "SHA256withECDSA";

    private final X509Certificate certificate;
    private final TimeStampResponseGenerator responder;
    private final HttpServer server;
    private final ExecutorService handlers;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicLong serials = new AtomicLong();
    private final List<BigInteger> nonces = new CopyOnWriteArrayList<>();
    private volatile Answer answer = Answer.GRANT;

    LoopbackTsa() throws IOException, GeneralSecurityException {
        KeyPair key = newKey();
        certificate = selfSigned(key);
        responder = responder(key, certificate);
        handlers = Executors.newFixedThreadPool(4, task -> {
            Thread thread = new Thread(task, "loopback-tsa");
            thread.setDaemon(true);
            return thread;
        });
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(handlers);
        server.createContext("/tsa", this::handle);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/tsa");
    }

    X509Certificate certificate() {
        return certificate;
    }

    void answer(Answer next) {
        answer = next;
    }

    /** Nonces of the requests received so far, in arrival order. */
    List<BigInteger> nonces() {
        return List.copyOf(nonces);
    }

    /**
     * A token issued directly, without HTTP, for tests of what a verifier makes of tokens the
     * timestamper would never ask for (no embedded certificate, say).
     */
    byte[] issue(byte[] sha256, boolean withCertificate) throws Exception {
        TimeStampRequestGenerator generator = new TimeStampRequestGenerator();
        generator.setCertReq(withCertificate);
        TimeStampRequest request = generator.generate(TSPAlgorithms.SHA256, sha256);
        synchronized (responder) {
            return responder.generate(request, nextSerial(), new Date()).getTimeStampToken().getEncoded();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            if (!"POST".equals(exchange.getRequestMethod())) {
                send(exchange, 405, "text/plain", "POST only".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            if (!Rfc3161Timestamper.QUERY_TYPE.equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                send(exchange, 415, "text/plain", "want a timestamp-query".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            TimeStampRequest request = new TimeStampRequest(exchange.getRequestBody().readNBytes(64 * 1024));
            nonces.add(request.getNonce());
            switch (answer) {
                case GRANT -> reply(exchange, grant(request));
                case REJECT -> reply(exchange, reject());
                case HTTP_500 -> send(exchange, 500, "text/plain", "internal error".getBytes(StandardCharsets.US_ASCII));
                case OTHER_NONCE -> reply(exchange, grant(withOtherNonce(request)));
                case HTML -> send(exchange, 200, "text/html", "<html>sign in</html>".getBytes(StandardCharsets.US_ASCII));
                case HUGE -> reply(exchange, new byte[2 << 20]);
                case HANG -> hang(exchange);
            }
        } catch (Exception e) {
            send(exchange, 500, "text/plain", e.toString().getBytes(StandardCharsets.UTF_8));
        } finally {
            exchange.close();
        }
    }

    private byte[] grant(TimeStampRequest request) throws Exception {
        synchronized (responder) {
            return responder.generate(request, nextSerial(), new Date()).getEncoded();
        }
    }

    private byte[] reject() throws Exception {
        synchronized (responder) {
            return responder.generateFailResponse(PKIStatus.REJECTION, PKIFailureInfo.badAlg,
                    "hash algorithm not supported").getEncoded();
        }
    }

    private static TimeStampRequest withOtherNonce(TimeStampRequest request) {
        TimeStampRequestGenerator generator = new TimeStampRequestGenerator();
        generator.setCertReq(request.getCertReq());
        if (request.getReqPolicy() != null) {
            generator.setReqPolicy(request.getReqPolicy());
        }
        BigInteger nonce = request.getNonce() == null ? BigInteger.ONE : request.getNonce().add(BigInteger.ONE);
        return generator.generate(request.getMessageImprintAlgOID(), request.getMessageImprintDigest(), nonce);
    }

    private void hang(HttpExchange exchange) throws IOException {
        try {
            closing.await(HANG_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        send(exchange, 503, "text/plain", "gave up".getBytes(StandardCharsets.US_ASCII));
    }

    private static void reply(HttpExchange exchange, byte[] body) throws IOException {
        send(exchange, 200, Rfc3161Timestamper.REPLY_TYPE, body);
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private BigInteger nextSerial() {
        return BigInteger.valueOf(serials.incrementAndGet());
    }

    private static KeyPair newKey() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate selfSigned(KeyPair key) throws IOException, GeneralSecurityException {
        X500Name name = new X500Name("CN=Stowage loopback TSA");
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name, key.getPublic());
        builder.addExtension(Extension.extendedKeyUsage, true, new ExtendedKeyUsage(KeyPurposeId.id_kp_timeStamping));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(SIGNATURE).build(key.getPrivate())));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static TimeStampResponseGenerator responder(KeyPair key, X509Certificate certificate)
            throws GeneralSecurityException {
        try {
            TimeStampTokenGenerator tokens = new TimeStampTokenGenerator(
                    new JcaSimpleSignerInfoGeneratorBuilder().build(SIGNATURE, key.getPrivate(), certificate),
                    new JcaDigestCalculatorProviderBuilder().build()
                            .get(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256)),
                    new ASN1ObjectIdentifier(POLICY));
            tokens.addCertificates(new JcaCertStore(List.of(certificate)));
            return new TimeStampResponseGenerator(tokens, TSPAlgorithms.ALLOWED);
        } catch (org.bouncycastle.operator.OperatorCreationException | org.bouncycastle.tsp.TSPException e) {
            throw new GeneralSecurityException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        closing.countDown();
        server.stop(0);
        handlers.shutdown();
        if (!handlers.awaitTermination(5, TimeUnit.SECONDS)) {
            handlers.shutdownNow();
        }
    }
}
