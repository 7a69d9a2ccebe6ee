package io.stowage.storage.oci;

import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DigestTest {
    @Test
    void sha256OfKnownContent() {
        assertEquals("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                Digest.sha256("hello".getBytes(StandardCharsets.UTF_8)).toString());
    }

    @Test
    void parseRoundTripsSha256AndSha512() {
        Digest sha256 = Digest.sha256(new byte[0]);
        assertEquals(sha256, Digest.parse(sha256.toString()));
        Digest sha512 = Digest.of(Digest.Algorithm.SHA512, new byte[0]);
        assertEquals(sha512, Digest.parse(sha512.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "sha256", "sha256:", "sha256:abc", "md5:d41d8cd98f00b204e9800998ecf8427e",
            "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
            "sha256:../../../../etc/passwd", "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"})
    void invalidDigestsAreDigestInvalid(String text) {
        RegistryException e = assertThrows(RegistryException.class, () -> Digest.parse(text));
        assertEquals(ErrorCode.DIGEST_INVALID, e.code());
    }
}
