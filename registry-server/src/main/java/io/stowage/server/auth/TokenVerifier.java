package io.stowage.server.auth;

import com.nimbusds.jose.Header;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.stowage.server.auth.TokenRejectedException.Reason;

import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Accepts or rejects bearer tokens: those we issued ({@link TrustedIssuer#of}) and those of
 * external token servers configured by public key ({@link TrustedIssuer#fromPem}). Thread-safe.
 *
 * <p>In order, a token must be a compact JWS (at most 16 KiB) whose header names a trusted key by
 * {@code kid} and uses an algorithm of that key's kind (ES256/384/512 for EC keys by curve,
 * RS/PS256/384/512 for RSA; never {@code none} or HMAC, so a public key can never be used as an
 * HMAC secret); its signature must verify with that key; its {@code iss} must be that key's
 * issuer, its {@code aud} must include our service, {@code exp} must be present and not past and
 * {@code nbf}, if present, not ahead, both with 30 s of clock skew; {@code sub} and
 * {@code access} must have the token spec's shape. Any failure is a {@link TokenRejectedException}
 * with its {@link Reason}; garbage never escapes as an unchecked exception.
 */
public final class TokenVerifier {
    /** How far the clocks of the token server and the registry may disagree. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
    /** Real tokens are a few hundred bytes to a few KiB; anything far larger is not read. */
    static final int MAX_TOKEN_LENGTH = 16 * 1024;

    private static final Set<JWSAlgorithm> RSA_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);

    /** A trusted key ready to check signatures. */
    private record TrustedKey(TrustedIssuer issuer, Set<JWSAlgorithm> algorithms, JWSVerifier verifier) {
    }

    private final String audience;
    private final Map<String, TrustedKey> keysById;
    private final Clock clock;

    /**
     * @param audience our service name: every token's {@code aud} must include it
     * @param issuers  the issuers we trust, ourselves usually first
     * @throws IllegalArgumentException when two issuers claim one {@code kid}, or a key has a curve
     *                                  no JWS algorithm uses
     */
    public TokenVerifier(String audience, List<TrustedIssuer> issuers, Clock clock) {
        if (audience == null || audience.isBlank()) {
            throw new IllegalArgumentException("the token audience (service name) must not be empty");
        }
        this.audience = audience;
        this.clock = Objects.requireNonNull(clock, "clock");
        Map<String, TrustedKey> keys = new HashMap<>();
        for (TrustedIssuer issuer : issuers) {
            TrustedKey key = trustedKey(issuer);
            for (String id : issuer.keyIds()) {
                if (keys.putIfAbsent(id, key) != null) {
                    throw new IllegalArgumentException("two trusted issuers use the key ID " + id);
                }
            }
        }
        this.keysById = Map.copyOf(keys);
    }

    /** The token's subject and access if it is valid now; why not otherwise. */
    public VerifiedToken verify(String token) throws TokenRejectedException {
        try {
            return check(token);
        } catch (TokenRejectedException e) {
            throw e;
        } catch (RuntimeException e) {
            // A parser surprised by some input: still a rejection, never a 500.
            throw new TokenRejectedException(Reason.MALFORMED, "unreadable token (" + e.getClass().getSimpleName() + ")");
        }
    }

    private VerifiedToken check(String token) throws TokenRejectedException {
        if (token == null || token.isEmpty()) {
            throw new TokenRejectedException(Reason.MALFORMED, "empty token");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new TokenRejectedException(Reason.MALFORMED, "token longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new TokenRejectedException(Reason.MALFORMED, "not a compact JWS (three base64url parts)");
        }
        Header anyHeader;
        try {
            anyHeader = Header.parse(new Base64URL(parts[0]));
        } catch (ParseException e) {
            throw new TokenRejectedException(Reason.MALFORMED, "unreadable header: " + e.getMessage());
        }
        if (!(anyHeader instanceof JWSHeader)) {
            throw new TokenRejectedException(Reason.UNSUPPORTED_ALGORITHM,
                    "not a signed token (alg " + anyHeader.getAlgorithm() + ")");
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            throw new TokenRejectedException(Reason.MALFORMED, "unreadable token: " + e.getMessage());
        }
        JWSHeader header = jwt.getHeader();
        String keyId = header.getKeyID();
        if (keyId == null) {
            throw new TokenRejectedException(Reason.UNKNOWN_KEY, "no kid in the token header");
        }
        TrustedKey key = keysById.get(keyId);
        if (key == null) {
            throw new TokenRejectedException(Reason.UNKNOWN_KEY, "kid names no trusted key");
        }
        if (!key.algorithms().contains(header.getAlgorithm())) {
            throw new TokenRejectedException(Reason.UNSUPPORTED_ALGORITHM, "alg " + header.getAlgorithm()
                    + " is not one the key of issuer " + key.issuer().issuer() + " signs with");
        }
        boolean signed;
        try {
            signed = jwt.verify(key.verifier());
        } catch (JOSEException e) {
            signed = false;
        }
        if (!signed) {
            throw new TokenRejectedException(Reason.BAD_SIGNATURE, "the signature does not verify");
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new TokenRejectedException(Reason.MALFORMED, "unreadable claims: " + e.getMessage());
        }
        String issuer = key.issuer().issuer();
        if (!issuer.equals(stringClaim(claims, "iss"))) {
            throw new TokenRejectedException(Reason.WRONG_ISSUER, "iss is not " + issuer);
        }
        List<String> audiences = claims.getAudience();
        if (audiences == null || !audiences.contains(audience)) {
            throw new TokenRejectedException(Reason.WRONG_AUDIENCE, "aud does not name " + audience);
        }
        Instant now = clock.instant();
        Instant expires = dateClaim(claims, "exp");
        if (expires == null) {
            throw new TokenRejectedException(Reason.EXPIRED, "no exp: a token must expire");
        }
        if (now.isAfter(expires.plus(CLOCK_SKEW))) {
            throw new TokenRejectedException(Reason.EXPIRED, "expired at " + expires);
        }
        Instant notBefore = dateClaim(claims, "nbf");
        if (notBefore != null && now.isBefore(notBefore.minus(CLOCK_SKEW))) {
            throw new TokenRejectedException(Reason.NOT_YET_VALID, "not valid before " + notBefore);
        }
        return new VerifiedToken(subject(claims), issuer, access(claims), expires, stringClaim(claims, "jti"));
    }

    private static Principal subject(JWTClaimsSet claims) throws TokenRejectedException {
        String subject = stringClaim(claims, "sub");
        if (subject == null || subject.isEmpty()) {
            return Principal.ANONYMOUS;
        }
        if (!UserNames.isValid(subject)) {
            throw new TokenRejectedException(Reason.MALFORMED, "sub is not a valid user name");
        }
        return Principal.user(subject);
    }

    private static List<ResourceScope> access(JWTClaimsSet claims) throws TokenRejectedException {
        Object value = claims.getClaim("access");
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> entries)) {
            throw new TokenRejectedException(Reason.MALFORMED, "access is not a list");
        }
        List<ResourceScope> access = new ArrayList<>();
        for (Object entry : entries) {
            try {
                access.add(ResourceScope.fromClaim(entry));
            } catch (InvalidScopeException e) {
                throw new TokenRejectedException(Reason.MALFORMED, "access: " + e.getMessage());
            }
        }
        return access;
    }

    private static String stringClaim(JWTClaimsSet claims, String name) throws TokenRejectedException {
        try {
            return claims.getStringClaim(name);
        } catch (ParseException e) {
            throw new TokenRejectedException(Reason.MALFORMED, name + " is not a string");
        }
    }

    private static Instant dateClaim(JWTClaimsSet claims, String name) throws TokenRejectedException {
        try {
            Date date = claims.getDateClaim(name);
            return date == null ? null : date.toInstant();
        } catch (ParseException e) {
            throw new TokenRejectedException(Reason.MALFORMED, name + " is not a number of seconds");
        }
    }

    private static TrustedKey trustedKey(TrustedIssuer issuer) {
        try {
            if (issuer.key() instanceof ECPublicKey ec) {
                Curve curve = Curve.forECParameterSpec(ec.getParams());
                JWSAlgorithm algorithm = curve == null ? null : curveAlgorithm(curve);
                if (algorithm == null) {
                    throw new IllegalArgumentException("the EC key of issuer " + issuer.issuer()
                            + " is not on P-256, P-384 or P-521");
                }
                return new TrustedKey(issuer, Set.of(algorithm), new ECDSAVerifier(ec));
            }
            return new TrustedKey(issuer, RSA_ALGORITHMS, new RSASSAVerifier((RSAPublicKey) issuer.key()));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the key of issuer " + issuer.issuer() + " cannot verify tokens: "
                    + e.getMessage(), e);
        }
    }

    private static JWSAlgorithm curveAlgorithm(Curve curve) {
        if (Curve.P_256.equals(curve)) {
            return JWSAlgorithm.ES256;
        }
        if (Curve.P_384.equals(curve)) {
            return JWSAlgorithm.ES384;
        }
        if (Curve.P_521.equals(curve)) {
            return JWSAlgorithm.ES512;
        }
        return null;
    }
}
