package io.stowage.server.auth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * An issuer whose tokens the registry accepts: its {@code iss} name, its public key, and the
 * {@code kid} values that name that key in a token header. Immutable.
 *
 * @param issuer the {@code iss} its tokens must carry
 * @param key    an RSA key (at least 2048 bits) or an EC key on P-256, P-384 or P-521
 * @param keyIds the {@code kid} values that select this key
 */
public record TrustedIssuer(String issuer, PublicKey key, Set<String> keyIds) {
    /** RSA keys shorter than this are refused: they no longer protect anything. */
    static final int MIN_RSA_BITS = 2048;

    public TrustedIssuer {
        if (issuer == null || issuer.isBlank()) {
            throw new IllegalArgumentException("a trusted issuer needs a name");
        }
        Objects.requireNonNull(key, "key");
        if (key instanceof RSAPublicKey rsa) {
            if (rsa.getModulus().bitLength() < MIN_RSA_BITS) {
                throw new IllegalArgumentException("the RSA key of issuer " + issuer + " has fewer than "
                        + MIN_RSA_BITS + " bits");
            }
        } else if (!(key instanceof ECPublicKey)) {
            throw new IllegalArgumentException("the key of issuer " + issuer + " is neither RSA nor EC");
        }
        keyIds = Set.copyOf(keyIds);
        if (keyIds.isEmpty()) {
            throw new IllegalArgumentException("a trusted issuer needs at least one key ID");
        }
    }

    /** The registry itself, signing with {@code key}. */
    public static TrustedIssuer of(String issuer, TokenSigningKey key) {
        return new TrustedIssuer(issuer, key.publicKey(), Set.of(key.keyId()));
    }

    /**
     * An external token server, from its public key or certificate in PEM.
     *
     * @param keyId the {@code kid} its tokens carry; null to accept the key's RFC 7638 thumbprint
     *              and its Docker libtrust key ID, the two that token servers use
     */
    public static TrustedIssuer fromPem(String issuer, String source, String pem, String keyId) throws AuthFileException {
        PublicKey key = PemKeys.readPublicKey(source, pem);
        Set<String> ids = new LinkedHashSet<>();
        if (keyId != null && !keyId.isBlank()) {
            ids.add(keyId);
        } else {
            ids.add(KeyIds.thumbprint(key));
            ids.add(KeyIds.libtrustId(key));
        }
        try {
            return new TrustedIssuer(issuer, key, ids);
        } catch (IllegalArgumentException e) {
            throw new AuthFileException(source + ": " + e.getMessage(), e);
        }
    }

    /** {@link #fromPem} with the PEM read from {@code file}. */
    public static TrustedIssuer fromPemFile(String issuer, Path file, String keyId) throws AuthFileException {
        try {
            return fromPem(issuer, file.toString(), Files.readString(file, StandardCharsets.US_ASCII), keyId);
        } catch (java.io.IOException e) {
            throw new AuthFileException("cannot read the public key of issuer " + issuer + " at " + file + ": "
                    + ReloadingFile.describe(e), e);
        }
    }
}
