package io.stowage.audit.tsa;

import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.tsp.TimeStampToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Rfc3161TimestamperTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private LoopbackTsa tsa;

    @BeforeEach
    void startTsa() throws Exception {
        tsa = new LoopbackTsa();
    }

    @AfterEach
    void stopTsa() throws Exception {
        tsa.close();
    }

    static byte[] sha256(String text) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void tokenFromTsaVerifiesWithItsCertificateAndCarriesTheCurrentTime() throws Exception {
        byte[] digest = sha256("checkpoint 1");

        byte[] token = new Rfc3161Timestamper(tsa.uri(), TIMEOUT).timestamp(digest);

        Instant genTime = TimestampTokens.verify(token, digest, tsa.certificate());
        assertTrue(Duration.between(genTime, Instant.now()).abs().compareTo(Duration.ofMinutes(1)) < 0,
                "genTime " + genTime + " is not within a minute of now");
        assertEquals(tsa.certificate(), TimestampTokens.embeddedCertificate(token));
    }

    @Test
    void everyRequestCarriesAFreshNonce() throws Exception {
        Rfc3161Timestamper timestamper = new Rfc3161Timestamper(tsa.uri(), TIMEOUT);

        timestamper.timestamp(sha256("a"));
        timestamper.timestamp(sha256("a"));

        assertEquals(2, tsa.nonces().size());
        assertNotEquals(tsa.nonces().get(0), tsa.nonces().get(1));
    }

    @Test
    void requestedPolicyEndsUpInTheToken() throws Exception {
        byte[] token = new Rfc3161Timestamper(tsa.uri(), TIMEOUT, "2.999.7").timestamp(sha256("p"));

        assertEquals("2.999.7", new TimeStampToken(new CMSSignedData(token)).getTimeStampInfo().getPolicy().getId());
    }

    @Test
    void rejectionStatusIsReportedWithItsFailureInfo() {
        tsa.answer(LoopbackTsa.Answer.REJECT);

        IOException e = assertThrows(IOException.class,
                () -> new Rfc3161Timestamper(tsa.uri(), TIMEOUT).timestamp(sha256("r")));

        assertTrue(e.getMessage().contains("rejection"), e.getMessage());
        assertTrue(e.getMessage().contains("badAlg"), e.getMessage());
        assertTrue(e.getMessage().contains("hash algorithm not supported"), e.getMessage());
    }

    @Test
    void http500IsAnIOException() {
        tsa.answer(LoopbackTsa.Answer.HTTP_500);

        IOException e = assertThrows(IOException.class,
                () -> new Rfc3161Timestamper(tsa.uri(), TIMEOUT).timestamp(sha256("500")));

        assertTrue(e.getMessage().contains("HTTP 500"), e.getMessage());
    }

    @Test
    void replyThatIsNotATimestampReplyIsRefused() {
        tsa.answer(LoopbackTsa.Answer.HTML);

        IOException e = assertThrows(IOException.class,
                () -> new Rfc3161Timestamper(tsa.uri(), TIMEOUT).timestamp(sha256("html")));

        assertTrue(e.getMessage().contains("text/html"), e.getMessage());
    }

    @Test
    void oversizedReplyIsNotBuffered() {
        tsa.answer(LoopbackTsa.Answer.HUGE);

        IOException e = assertThrows(IOException.class,
                () -> new Rfc3161Timestamper(tsa.uri(), TIMEOUT).timestamp(sha256("huge")));

        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
    }

    @Test
    void replyForAnotherNonceIsRefused() {
        tsa.answer(LoopbackTsa.Answer.OTHER_NONCE);

        IOException e = assertThrows(IOException.class,
                () -> new Rfc3161Timestamper(tsa.uri(), TIMEOUT).timestamp(sha256("nonce")));

        assertTrue(e.getMessage().contains("does not match the request"), e.getMessage());
        assertTrue(e.getMessage().toLowerCase().contains("nonce"), e.getMessage());
    }

    @Test
    void hangingTsaHitsTheTimeout() {
        tsa.answer(LoopbackTsa.Answer.HANG);
        Rfc3161Timestamper timestamper = new Rfc3161Timestamper(tsa.uri(), Duration.ofMillis(300));

        long started = System.nanoTime();
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(IOException.class, () -> timestamper.timestamp(sha256("hang"))));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertTrue(e instanceof HttpTimeoutException, e.toString());
        assertTrue(e.getMessage().contains("did not answer within"), e.getMessage());
        assertTrue(took.compareTo(Duration.ofMillis(300)) >= 0, "gave up after only " + took);
    }

    @Test
    void unreachableTsaIsAnIOException() throws Exception {
        URI gone = tsa.uri();
        tsa.close();

        assertThrows(IOException.class, () -> new Rfc3161Timestamper(gone, TIMEOUT).timestamp(sha256("gone")));
    }

    @Test
    void onlyHttpUrlsPositiveTimeoutsAndWholeDigestsAreAccepted() {
        assertThrows(IllegalArgumentException.class,
                () -> new Rfc3161Timestamper(URI.create("ftp://127.0.0.1/tsa"), TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> new Rfc3161Timestamper(tsa.uri(), Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new Rfc3161Timestamper(tsa.uri(), TIMEOUT, "not an oid"));
        assertThrows(IllegalArgumentException.class,
                () -> new Rfc3161Timestamper(tsa.uri(), TIMEOUT).timestamp(new byte[20]));
    }
}
