package io.stowage.server.auth;

import io.stowage.storage.testing.ManualClock;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.stowage.server.auth.TokenRejectedException.Reason;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenIssuerVerifierTest {
    private static final String ISSUER = "stowage";
    private static final String SERVICE = "registry.example.com";
    private static final TokenSigningKey KEY = TokenSigningKey.generate();

    private final ManualClock clock = new ManualClock();
    private final TokenIssuer issuer = new TokenIssuer(KEY, ISSUER, SERVICE, TokenIssuer.DEFAULT_LIFETIME, clock);
    private final TokenVerifier verifier = new TokenVerifier(SERVICE, List.of(TrustedIssuer.of(ISSUER, KEY)), clock);

    private static List<ResourceScope> access(String... scopes) throws Exception {
        return ResourceScope.parseAll(List.of(scopes));
    }

    /** A token with our key and kid and these claims; for the claims our issuer would never write. */
    private JWTClaimsSet.Builder validClaims() {
        Instant now = clock.instant();
        return new JWTClaimsSet.Builder().issuer(ISSUER).subject("alice").audience(SERVICE)
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300)));
    }

    private static String sign(JWSSigner signer, JWSHeader header, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static JWSHeader ours() {
        return new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(KEY.keyId()).build();
    }

    private Reason rejection(TokenVerifier verifier, String token) {
        return assertThrows(TokenRejectedException.class, () -> verifier.verify(token)).reason();
    }

    private Reason rejection(String token) {
        return rejection(verifier, token);
    }

    @Test
    void anIssuedTokenCarriesTheSpecsHeaderAndClaims() throws Exception {
        IssuedToken issued = issuer.issue(Principal.user("alice"), access("repository:team-a/app:pull,push"));
        SignedJWT jwt = SignedJWT.parse(issued.token());
        assertEquals(JWSAlgorithm.ES256, jwt.getHeader().getAlgorithm());
        assertEquals(JOSEObjectType.JWT, jwt.getHeader().getType());
        assertEquals(KEY.keyId(), jwt.getHeader().getKeyID());

        Map<String, Object> claims = jwt.getJWTClaimsSet().toJSONObject();
        long now = clock.instant().getEpochSecond();
        assertEquals(ISSUER, claims.get("iss"));
        assertEquals("alice", claims.get("sub"));
        assertEquals(SERVICE, claims.get("aud"), "a single audience is a string, as the spec shows it");
        assertEquals(now, claims.get("iat"));
        assertEquals(now, claims.get("nbf"));
        assertEquals(now + 300, claims.get("exp"));
        assertNotNull(claims.get("jti"));
        assertEquals(List.of(Map.of("type", "repository", "name", "team-a/app", "actions", List.of("pull", "push"))),
                claims.get("access"));
        assertEquals(300, issued.expiresInSeconds());
        assertEquals(clock.instant(), issued.issuedAt());
    }

    @Test
    void tokenIdsAreUnique() throws Exception {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            ids.add(SignedJWT.parse(issuer.issue(Principal.user("a"), List.of()).token()).getJWTClaimsSet().getJWTID());
        }
        assertEquals(50, ids.size());
    }

    @Test
    void ourOwnTokenIsAcceptedWithItsSubjectAndAccess() throws Exception {
        IssuedToken issued = issuer.issue(Principal.user("alice"),
                access("repository:team-a/app:pull,push", "registry:catalog:*"));
        VerifiedToken verified = verifier.verify(issued.token());
        assertEquals(Principal.user("alice"), verified.subject());
        assertEquals(ISSUER, verified.issuer());
        assertEquals(issued.expiresAt(), verified.expiresAt());
        assertNotNull(verified.tokenId());
        assertTrue(verified.allows("team-a/app", Action.PULL));
        assertTrue(verified.allows("team-a/app", Action.PUSH));
        assertFalse(verified.allows("team-a/app", Action.DELETE));
        assertFalse(verified.allows("team-a/other", Action.PULL));
        assertFalse(verified.allows("team-a/app", Action.ADMIN));
        assertTrue(verified.allowsCatalog());
    }

    @Test
    void anAnonymousTokenHasAnEmptySubject() throws Exception {
        IssuedToken issued = issuer.issue(Principal.ANONYMOUS, access("repository:public/a:pull"));
        assertEquals("", SignedJWT.parse(issued.token()).getJWTClaimsSet().getSubject());
        VerifiedToken verified = verifier.verify(issued.token());
        assertTrue(verified.subject().anonymous());
        assertTrue(verified.allows("public/a", Action.PULL));
        assertFalse(verified.allowsCatalog());
    }

    @Test
    void theLifetimeIsConfigurable() throws Exception {
        TokenIssuer longer = new TokenIssuer(KEY, ISSUER, SERVICE, Duration.ofMinutes(15), clock);
        assertEquals(900, longer.issue(Principal.user("a"), List.of()).expiresInSeconds());
        assertThrows(IllegalArgumentException.class, () -> new TokenIssuer(KEY, ISSUER, SERVICE, Duration.ZERO, clock));
        assertThrows(IllegalArgumentException.class, () -> new TokenIssuer(KEY, "", SERVICE, Duration.ofMinutes(1), clock));
    }

    @Test
    void anExpiredTokenIsRejectedAfterTheClockSkew() throws Exception {
        String token = issuer.issue(Principal.user("alice"), List.of()).token();
        clock.advance(TokenIssuer.DEFAULT_LIFETIME.plusSeconds(29));
        verifier.verify(token);
        clock.advance(Duration.ofSeconds(2));
        assertEquals(Reason.EXPIRED, rejection(token));
    }

    @Test
    void aTokenFromTheFutureIsRejectedBeyondTheClockSkew() throws Exception {
        ManualClock ahead = new ManualClock(clock.instant().plusSeconds(31));
        String early = new TokenIssuer(KEY, ISSUER, SERVICE, TokenIssuer.DEFAULT_LIFETIME, ahead)
                .issue(Principal.user("a"), List.of()).token();
        assertEquals(Reason.NOT_YET_VALID, rejection(early));

        ManualClock slightlyAhead = new ManualClock(clock.instant().plusSeconds(29));
        verifier.verify(new TokenIssuer(KEY, ISSUER, SERVICE, TokenIssuer.DEFAULT_LIFETIME, slightlyAhead)
                .issue(Principal.user("a"), List.of()).token());
    }

    @Test
    void aTokenWithoutExpiryIsRejected() throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).subject("a").audience(SERVICE).build();
        assertEquals(Reason.EXPIRED, rejection(sign(KEY.signer(), ours(), claims)));
    }

    @Test
    void aTokenForAnotherServiceIsRejected() throws Exception {
        String token = issuer.issue(Principal.user("alice"), List.of()).token();
        TokenVerifier other = new TokenVerifier("other.example.com", List.of(TrustedIssuer.of(ISSUER, KEY)), clock);
        assertEquals(Reason.WRONG_AUDIENCE, rejection(other, token));

        JWTClaimsSet noAudience = validClaims().audience((String) null).build();
        assertEquals(Reason.WRONG_AUDIENCE, rejection(sign(KEY.signer(), ours(), noAudience)));
        JWTClaimsSet several = validClaims().audience(List.of("other", SERVICE)).build();
        verifier.verify(sign(KEY.signer(), ours(), several));
    }

    @Test
    void aTokenNamingAnotherIssuerIsRejectedEvenWithOurKey() throws Exception {
        assertEquals(Reason.WRONG_ISSUER, rejection(sign(KEY.signer(), ours(), validClaims().issuer("evil").build())));
        assertEquals(Reason.WRONG_ISSUER, rejection(sign(KEY.signer(), ours(), validClaims().issuer(null).build())));
    }

    @Test
    void aWrongOrMissingKidIsRejected() throws Exception {
        JWSHeader otherKid = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("some-other-key").build();
        assertEquals(Reason.UNKNOWN_KEY, rejection(sign(KEY.signer(), otherKid, validClaims().build())));
        JWSHeader noKid = new JWSHeader.Builder(JWSAlgorithm.ES256).build();
        assertEquals(Reason.UNKNOWN_KEY, rejection(sign(KEY.signer(), noKid, validClaims().build())));
    }

    @Test
    void anotherKeyUsingOurKidFailsTheSignature() throws Exception {
        TokenSigningKey impostor = TokenSigningKey.generate();
        assertEquals(Reason.BAD_SIGNATURE, rejection(sign(impostor.signer(), ours(), validClaims().build())));
    }

    @Test
    void aChangedClaimFailsTheSignature() throws Exception {
        String token = issuer.issue(Principal.user("alice"), access("repository:team-a/app:pull")).token();
        String[] parts = token.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String forged = Base64URL.encode(claims.replace("\"pull\"", "\"push\"")).toString();
        assertFalse(forged.equals(parts[1]));
        assertEquals(Reason.BAD_SIGNATURE, rejection(parts[0] + "." + forged + "." + parts[2]));
        assertEquals(Reason.MALFORMED, rejection(parts[0] + "." + parts[1] + "."), "no signature at all");
    }

    @Test
    void algNoneIsRejected() throws Exception {
        String header = Base64URL.encode("{\"alg\":\"none\",\"kid\":\"" + KEY.keyId() + "\"}").toString();
        String claims = validClaims().build().toPayload().toBase64URL().toString();
        assertEquals(Reason.UNSUPPORTED_ALGORITHM, rejection(header + "." + claims + "."));
        assertEquals(Reason.MALFORMED, rejection(header + "." + claims), "two parts only");
        String ours = issuer.issue(Principal.user("a"), List.of()).token();
        assertEquals(Reason.UNSUPPORTED_ALGORITHM, rejection(header + "." + ours.split("\\.")[1] + "." + ours.split("\\.")[2]));
    }

    @Test
    void hmacWithThePublicKeyAsSecretIsRejected() throws Exception {
        JWSHeader hs256 = new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(KEY.keyId()).build();
        byte[] pemSecret = KEY.publicKeyPem().getBytes(StandardCharsets.US_ASCII);
        assertEquals(Reason.UNSUPPORTED_ALGORITHM, rejection(sign(new MACSigner(pemSecret), hs256, validClaims().build())));
        byte[] derSecret = KEY.publicKey().getEncoded();
        assertEquals(Reason.UNSUPPORTED_ALGORITHM, rejection(sign(new MACSigner(derSecret), hs256, validClaims().build())));
    }

    @Test
    void garbageIsRejectedAsMalformedAndNeverThrowsUnchecked() throws Exception {
        for (String garbage : new String[] {null, "", ".", "..", "a.b", "a.b.c", "!!!.###.$$$", "eyJ.eyJ.sig",
                Base64URL.encode("not json").toString() + ".e30.c2ln", Base64URL.encode("[1,2]").toString() + ".e30.c2ln",
                Base64URL.encode("{\"alg\":\"ES256\",\"kid\":7}").toString() + ".e30.c2ln",
                "x".repeat(TokenVerifier.MAX_TOKEN_LENGTH + 1)}) {
            TokenRejectedException e = assertThrows(TokenRejectedException.class, () -> verifier.verify(garbage),
                    String.valueOf(garbage));
            assertEquals(Reason.MALFORMED, e.reason(), garbage + ": " + e.getMessage());
        }
        Random random = new Random(42);
        String ours = issuer.issue(Principal.user("a"), access("repository:a:pull")).token();
        for (int i = 0; i < 2000; i++) {
            char[] mutated = ours.toCharArray();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                mutated[random.nextInt(mutated.length)] = (char) (32 + random.nextInt(95));
            }
            String candidate = new String(mutated);
            try {
                verifier.verify(candidate);
            } catch (TokenRejectedException expected) {
                // Any reason will do; an unchecked exception would fail the test.
            }
        }
    }

    @Test
    void claimsOfTheWrongShapeAreMalformed() throws Exception {
        assertEquals(Reason.MALFORMED, rejection(sign(KEY.signer(), ours(), validClaims().claim("access", "everything").build())));
        assertEquals(Reason.MALFORMED, rejection(sign(KEY.signer(), ours(),
                validClaims().claim("access", List.of(Map.of("type", "repository", "actions", List.of("pull")))).build())));
        assertEquals(Reason.MALFORMED, rejection(sign(KEY.signer(), ours(), validClaims().subject("al ice").build())));
        assertEquals(Reason.MALFORMED, rejection(sign(KEY.signer(), ours(), validClaims().subject("al:ice").build())));
        assertEquals(Reason.MALFORMED, rejection(sign(KEY.signer(), ours(), validClaims().claim("exp", "tomorrow").build())));
        VerifiedToken noAccess = verifier.verify(sign(KEY.signer(), ours(), validClaims().build()));
        assertEquals(List.of(), noAccess.access());
    }

    @Test
    void anExternalRsaIssuerIsTrustedByItsPublicKeyPem() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair rsa = generator.generateKeyPair();
        String pem = PemKeys.publicKeyPem(rsa.getPublic());
        TrustedIssuer gitlab = TrustedIssuer.fromPem("gitlab-issuer", "gitlab.pem", pem, null);
        TokenVerifier both = new TokenVerifier(SERVICE, List.of(TrustedIssuer.of(ISSUER, KEY), gitlab), clock);
        JWTClaimsSet claims = validClaims().issuer("gitlab-issuer")
                .claim("access", List.of(Map.of("type", "repository", "name", "group/project", "actions", List.of("pull"))))
                .build();
        RSASSASigner signer = new RSASSASigner(rsa.getPrivate());

        for (String kid : List.of(KeyIds.thumbprint(rsa.getPublic()), KeyIds.libtrustId(rsa.getPublic()))) {
            for (JWSAlgorithm alg : List.of(JWSAlgorithm.RS256, JWSAlgorithm.PS256, JWSAlgorithm.RS512)) {
                VerifiedToken verified = both.verify(sign(signer, new JWSHeader.Builder(alg).keyID(kid).build(), claims));
                assertEquals("gitlab-issuer", verified.issuer());
                assertTrue(verified.allows("group/project", Action.PULL));
            }
        }
        // Its key under our issuer name, and our name on its key, are both refused.
        JWSHeader rs256 = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(KeyIds.thumbprint(rsa.getPublic())).build();
        assertEquals(Reason.WRONG_ISSUER, rejection(both, sign(signer, rs256, validClaims().build())));
        assertEquals(Reason.UNSUPPORTED_ALGORITHM, rejection(both, sign(KEY.signer(),
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(KeyIds.thumbprint(rsa.getPublic())).build(), claims)));
        assertEquals(Reason.UNSUPPORTED_ALGORITHM, rejection(both, sign(new MACSigner(pem.getBytes(StandardCharsets.US_ASCII)),
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(KeyIds.thumbprint(rsa.getPublic())).build(), claims)));
    }

    @Test
    void anExternalIssuerCanBeGivenByCertificateAndAnExplicitKid() throws Exception {
        ECPrivateKey p384 = (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
                Base64.getMimeDecoder().decode(TokenSigningKeyTest.P384_PRIVATE_KEY
                        .replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", ""))));
        TrustedIssuer external = TrustedIssuer.fromPem("auth-server", "cert.pem", TokenSigningKeyTest.P384_CERTIFICATE, "key-2026");
        TokenVerifier both = new TokenVerifier(SERVICE, List.of(TrustedIssuer.of(ISSUER, KEY), external), clock);
        JWTClaimsSet claims = validClaims().issuer("auth-server").build();

        VerifiedToken verified = both.verify(sign(new ECDSASigner(p384),
                new JWSHeader.Builder(JWSAlgorithm.ES384).keyID("key-2026").build(), claims));
        assertEquals("auth-server", verified.issuer());
        assertEquals(Reason.UNKNOWN_KEY, rejection(both, sign(new ECDSASigner(p384),
                new JWSHeader.Builder(JWSAlgorithm.ES384).keyID(KeyIds.thumbprint(external.key())).build(), claims)),
                "with an explicit kid only that one selects the key");
        assertEquals(Reason.UNSUPPORTED_ALGORITHM, rejection(both, sign(KEY.signer(),
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("key-2026").build(), claims)), "a P-384 key signs ES384 only");
    }

    @Test
    void badIssuerConfigurationIsRefused() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new TokenVerifier(SERVICE,
                List.of(TrustedIssuer.of("a", KEY), TrustedIssuer.of("b", KEY)), clock), "one kid twice");
        assertThrows(IllegalArgumentException.class, () -> new TokenVerifier("", List.of(), clock));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        String weak = PemKeys.publicKeyPem(generator.generateKeyPair().getPublic());
        String message = assertThrows(AuthFileException.class, () -> TrustedIssuer.fromPem("x", "weak.pem", weak, null)).getMessage();
        assertTrue(message.contains("fewer than 2048 bits"), message);
        assertThrows(AuthFileException.class, () -> TrustedIssuer.fromPem("x", "key.pem", TokenSigningKeyTest.OPENSSL_PRIVATE_KEY, null));
        assertThrows(AuthFileException.class, () -> TrustedIssuer.fromPem("x", "key.pem", "garbage", null));
        assertEquals(TokenSigningKeyTest.OPENSSL_THUMBPRINT,
                KeyIds.thumbprint(TrustedIssuer.fromPem("x", "pub.pem", TokenSigningKeyTest.OPENSSL_PUBLIC_KEY, null).key()));
        assertTrue(TrustedIssuer.fromPem("x", "pub.pem", TokenSigningKeyTest.OPENSSL_PUBLIC_KEY, null).keyIds()
                .containsAll(Set.of(TokenSigningKeyTest.OPENSSL_THUMBPRINT, TokenSigningKeyTest.OPENSSL_LIBTRUST_ID)));
    }
}
