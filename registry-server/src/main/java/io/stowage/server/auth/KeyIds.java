package io.stowage.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import org.bouncycastle.util.encoders.Base32;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;

/**
 * The names ({@code kid}) under which a public key is known in token headers. Stateless.
 *
 * <ul>
 *   <li>{@link #thumbprint}: the RFC 7638 JWK thumbprint (SHA-256, base64url), what our tokens use;</li>
 *   <li>{@link #libtrustId}: the older Docker "libtrust" key ID (SHA-256 of the DER public key, first
 *       240 bits, base32 in twelve groups of four joined by ':'), which token servers written for the
 *       CNCF registry still put in their tokens, so that such an issuer can be trusted as it is.</li>
 * </ul>
 */
public final class KeyIds {
    private KeyIds() {
    }

    public static String thumbprint(PublicKey key) {
        try {
            if (key instanceof ECPublicKey ec) {
                Curve curve = Curve.forECParameterSpec(ec.getParams());
                if (curve == null) {
                    throw new IllegalArgumentException("unsupported EC curve");
                }
                return new ECKey.Builder(curve, ec).build().computeThumbprint().toString();
            }
            if (key instanceof RSAPublicKey rsa) {
                return new RSAKey.Builder(rsa).build().computeThumbprint().toString();
            }
        } catch (JOSEException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
        throw new IllegalArgumentException("not an RSA or EC public key: " + key.getAlgorithm());
    }

    public static String libtrustId(PublicKey key) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
        String encoded = new String(Base32.encode(Arrays.copyOf(digest, 30)), StandardCharsets.US_ASCII);
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 48; i += 4) {
            if (i > 0) {
                id.append(':');
            }
            id.append(encoded, i, i + 4);
        }
        return id.toString();
    }

    static boolean isP256(ECParameterSpec params) {
        return Curve.P_256.equals(Curve.forECParameterSpec(params));
    }
}
