package io.stowage.audit.tsa;

import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.tsp.TimeStampToken;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.Arrays;

import static io.stowage.audit.tsa.Rfc3161TimestamperTest.sha256;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimestampTokensTest {
    private static LoopbackTsa tsa;
    private static LoopbackTsa otherTsa;
    private static byte[] digest;
    private static byte[] token;

    @BeforeAll
    static void obtainToken() throws Exception {
        tsa = new LoopbackTsa();
        otherTsa = new LoopbackTsa();
        digest = sha256("checkpoint 7");
        token = new Rfc3161Timestamper(tsa.uri(), Duration.ofSeconds(5)).timestamp(digest);
    }

    @AfterAll
    static void stopTsas() throws Exception {
        tsa.close();
        otherTsa.close();
    }

    @Test
    void verifyFailsForADifferentDigest() throws Exception {
        TimestampException e = assertThrows(TimestampException.class,
                () -> TimestampTokens.verify(token, sha256("checkpoint 8"), tsa.certificate()));

        assertTrue(e.getMessage().contains("different digest"), e.getMessage());
    }

    @Test
    void verifyFailsAgainstAnotherTsaCertificate() {
        assertSignatureRefused(() -> TimestampTokens.verify(token, digest, otherTsa.certificate()));
    }

    @Test
    void verifyFailsForATokenSignedByAnotherTsa() throws Exception {
        byte[] foreign = otherTsa.issue(digest, true);

        assertSignatureRefused(() -> TimestampTokens.verify(foreign, digest, tsa.certificate()));
    }

    @Test
    void tamperedSignatureIsRefused() {
        byte[] tampered = token.clone();
        // The token ends with the signer's signature value (no unsigned attributes follow it).
        tampered[tampered.length - 1] ^= 0x01;

        assertSignatureRefused(() -> TimestampTokens.verify(tampered, digest, tsa.certificate()));
    }

    @Test
    void backdatedGenTimeIsRefused() throws Exception {
        byte[] genTime = new TimeStampToken(new CMSSignedData(token)).getTimeStampInfo().toASN1Structure()
                .getGenTime().getEncoded();
        int at = indexOf(token, genTime);
        assertTrue(at > 0, "genTime not found in token");
        byte[] backdated = token.clone();
        backdated[at + 2] = (byte) (backdated[at + 2] == '1' ? '0' : '1'); // first digit of the year

        assertSignatureRefused(() -> TimestampTokens.verify(backdated, digest, tsa.certificate()));
    }

    private static void assertSignatureRefused(Executable verification) {
        TimestampException e = assertThrows(TimestampException.class, verification);
        assertTrue(e.getMessage().startsWith("token not validly signed"), e.getMessage());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void garbageIsNotAToken() {
        assertThrows(TimestampException.class,
                () -> TimestampTokens.verify(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}, digest, tsa.certificate()));
        assertThrows(TimestampException.class, () -> TimestampTokens.embeddedCertificate(new byte[] {1, 2, 3}));
    }

    @Test
    void tokenWithoutCertificatesEmbedsNone() throws Exception {
        byte[] bare = tsa.issue(digest, false);

        assertNull(TimestampTokens.embeddedCertificate(bare));
        TimestampTokens.verify(bare, digest, tsa.certificate());
    }
}
