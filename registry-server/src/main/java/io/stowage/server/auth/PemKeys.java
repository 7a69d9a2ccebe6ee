package io.stowage.server.auth;

import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;

/**
 * PEM text to keys and back, for the token signing key (a PKCS#8 P-256 private key, as
 * {@code openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256} writes it) and the public
 * keys of token issuers ({@code PUBLIC KEY}, RSA or EC, or a {@code CERTIFICATE} holding one).
 * Stateless. Messages never show key material.
 */
final class PemKeys {
    private PemKeys() {
    }

    /** The public key of a {@code PUBLIC KEY} or {@code CERTIFICATE} PEM block; RSA or EC. */
    static PublicKey readPublicKey(String source, String pem) throws AuthFileException {
        PemObject object = readFirst(source, pem);
        try {
            switch (object.getType()) {
                case "PUBLIC KEY": {
                    X509EncodedKeySpec spec = new X509EncodedKeySpec(object.getContent());
                    GeneralSecurityException last = null;
                    for (String algorithm : new String[] {"EC", "RSA"}) {
                        try {
                            return KeyFactory.getInstance(algorithm).generatePublic(spec);
                        } catch (GeneralSecurityException e) {
                            last = e;
                        }
                    }
                    throw last;
                }
                case "CERTIFICATE": {
                    PublicKey key = CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(object.getContent())).getPublicKey();
                    if (!"EC".equals(key.getAlgorithm()) && !"RSA".equals(key.getAlgorithm())) {
                        throw new AuthFileException(source + ": the certificate's key is " + key.getAlgorithm()
                                + ", not RSA or EC");
                    }
                    return key;
                }
                default:
                    throw new AuthFileException(source + ": expected a PEM block PUBLIC KEY or CERTIFICATE, found "
                            + object.getType());
            }
        } catch (GeneralSecurityException e) {
            throw new AuthFileException(source + ": not an RSA or EC public key", e);
        }
    }

    /** The P-256 key pair of a PKCS#8 {@code PRIVATE KEY} block; the public half is computed. */
    static KeyPair readP256KeyPair(String source, String pem) throws AuthFileException {
        PemObject object = readFirst(source, pem);
        if ("EC PRIVATE KEY".equals(object.getType())) {
            throw new AuthFileException(source + ": an SEC1 'EC PRIVATE KEY'; convert it to PKCS#8 with"
                    + " openssl pkcs8 -topk8 -nocrypt");
        }
        if (!"PRIVATE KEY".equals(object.getType())) {
            throw new AuthFileException(source + ": expected a PEM block PRIVATE KEY, found " + object.getType());
        }
        ECPrivateKey privateKey;
        try {
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(object.getContent()));
            privateKey = (ECPrivateKey) key;
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new AuthFileException(source + ": not an EC private key", e);
        }
        if (!KeyIds.isP256(privateKey.getParams())) {
            throw new AuthFileException(source + ": the key is not on curve P-256, which ES256 needs");
        }
        return new KeyPair(p256PublicKey(privateKey), privateKey);
    }

    static String publicKeyPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    static String privateKeyPem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    /** Q = d·G on P-256: PKCS#8 need not carry the public key, and the JDK cannot derive it. */
    private static PublicKey p256PublicKey(ECPrivateKey privateKey) throws AuthFileException {
        X9ECParameters curve = ECNamedCurveTable.getByName("P-256");
        org.bouncycastle.math.ec.ECPoint q = curve.getG().multiply(privateKey.getS()).normalize();
        ECPoint w = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
        try {
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, privateKey.getParams()));
        } catch (GeneralSecurityException e) {
            throw new AuthFileException("cannot compute the public key of the signing key", e);
        }
    }

    private static PemObject readFirst(String source, String pem) throws AuthFileException {
        try (PemReader reader = new PemReader(new StringReader(pem == null ? "" : pem))) {
            PemObject object = reader.readPemObject();
            if (object == null) {
                throw new AuthFileException(source + ": no PEM block (-----BEGIN ...-----) found");
            }
            return object;
        } catch (IOException | RuntimeException e) {
            throw new AuthFileException(source + ": malformed PEM", e);
        }
    }

    private static String pem(String type, byte[] der) {
        StringWriter out = new StringWriter();
        try (PemWriter writer = new PemWriter(out)) {
            writer.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new IllegalStateException("writing to a string failed", e);
        }
        return out.toString();
    }
}
