package io.stowage.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Issues the short-lived bearer tokens of the Docker registry token protocol, signed ES256 with
 * the registry's {@link TokenSigningKey}. Thread-safe.
 *
 * <pre>
 * header  {"alg":"ES256","typ":"JWT","kid":"&lt;thumbprint&gt;"}
 * claims  {"iss":"stowage","sub":"alice","aud":"registry.example.com",
 *          "exp":1772359500,"nbf":1772359200,"iat":1772359200,"jti":"&lt;random&gt;",
 *          "access":[{"type":"repository","name":"team-a/app","actions":["pull","push"]}]}
 * </pre>
 *
 * <p>The access list is what the caller passes, which must be only what the policy granted
 * ({@link ScopeGrants#grant}); the issuer does not look at the policy itself. The anonymous
 * principal gets an empty {@code sub}.
 */
public final class TokenIssuer {
    /** Long enough for one pull or push to start; short, since a token cannot be revoked. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final TokenSigningKey key;
    private final JWSSigner signer;
    private final String issuer;
    private final String service;
    private final Duration lifetime;
    private final Clock clock;

    /**
     * @param issuer   the {@code iss} claim, e.g. {@code stowage}
     * @param service  the {@code aud} claim: the registry's service name, as in the challenge
     * @param lifetime how long a token is valid, at least one second
     */
    public TokenIssuer(TokenSigningKey key, String issuer, String service, Duration lifetime, Clock clock) {
        this.key = Objects.requireNonNull(key, "key");
        this.signer = key.signer();
        this.issuer = requireText(issuer, "issuer");
        this.service = requireText(service, "service");
        if (lifetime.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("a token lifetime must be at least one second: " + lifetime);
        }
        this.lifetime = lifetime;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A signed token for {@code subject} carrying exactly {@code access}. */
    public IssuedToken issue(Principal subject, List<ResourceScope> access) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant expires = now.plus(lifetime).truncatedTo(ChronoUnit.SECONDS);
        List<Map<String, Object>> claims = new ArrayList<>();
        for (ResourceScope scope : access) {
            claims.add(scope.toClaim());
        }
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        JWTClaimsSet claimSet = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(subject.anonymous() ? "" : subject.name())
                .audience(service)
                .expirationTime(Date.from(expires))
                .notBeforeTime(Date.from(now))
                .issueTime(Date.from(now))
                .jwtID(Base64URL.encode(id).toString())
                .claim("access", claims)
                .build();
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).keyID(key.keyId()).build();
        SignedJWT jwt = new SignedJWT(header, claimSet);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing a token failed", e);
        }
        return new IssuedToken(jwt.serialize(), now, expires);
    }

    public String issuer() {
        return issuer;
    }

    public String service() {
        return service;
    }

    private static String requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the token " + what + " must not be empty");
        }
        return value;
    }
}
