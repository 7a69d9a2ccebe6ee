package io.stowage.server.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Certificates for tests: CAs, server certificates they sign, client certificates, and PEM files of
 * them. Made in code with Bouncy Castle, so no test depends on a file that expires.
 */
final class TestPki {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A certificate and its key. */
    record Issued(X509Certificate certificate, PrivateKey key) {
    }

    private TestPki() {
    }

    static KeyPair ecKeyPair() {
        return keyPair("EC", new ECGenParameterSpec("secp256r1"));
    }

    static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, RANDOM);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed CA. */
    static Issued ca(String name) {
        KeyPair pair = ecKeyPair();
        X500Name subject = new X500Name("CN=" + name);
        return sign(subject, pair.getPublic(), subject, pair.getPrivate(), builder -> {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        }, pair.getPrivate());
    }

    /** A client certificate for {@code name}, signed by {@code ca}. */
    static Issued client(String name, Issued ca) {
        KeyPair pair = ecKeyPair();
        return sign(new X500Name("CN=" + name), pair.getPublic(), issuer(ca), ca.key(), builder -> {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        }, pair.getPrivate());
    }

    /** A server certificate for 127.0.0.1 and localhost with the given key pair, signed by {@code ca}. */
    static Issued server(KeyPair pair, Issued ca) {
        return sign(new X500Name("CN=localhost"), pair.getPublic(), issuer(ca), ca.key(), builder -> {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        }, pair.getPrivate());
    }

    /** A development certificate as {@code registry dev-cert} makes it. */
    static DevCertificate devCertificate() {
        return DevCertificate.create(List.of(), 30, java.time.Clock.systemUTC());
    }

    /** PEM text of certificates, RSA keys (as RSA PRIVATE KEY) and PEM objects; for EC keys see {@link #sec1Pem}. */
    static String pem(Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * An EC key as {@code openssl ecparam -genkey} writes it: SEC1 {@code EC PRIVATE KEY} with the
     * curve and the public key inside. (Bouncy Castle's writer would leave the curve out of a JDK
     * key, which no tool reads.)
     */
    static String sec1Pem(KeyPair pair) {
        java.security.interfaces.ECPrivateKey key = (java.security.interfaces.ECPrivateKey) pair.getPrivate();
        var publicKey = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded());
        var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, key.getS(), publicKey.getPublicKeyData(),
                org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1);
        try {
            return pem(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1.getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code text} to {@code file} through a rename, as renewal tools do: readers see old or new, never half. */
    static void replace(Path file, String text) {
        try {
            Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".replace-", ".tmp");
            Files.writeString(temp, text, StandardCharsets.US_ASCII);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a development certificate's PEM files as {@code dir/NAME.crt} and {@code dir/NAME.key}. */
    static void write(DevCertificate certificate, Path dir, String name) {
        replace(dir.resolve(name + ".crt"), certificate.certificatePem());
        replace(dir.resolve(name + ".key"), certificate.privateKeyPem());
    }

    private interface Extensions {
        void add(JcaX509v3CertificateBuilder builder) throws Exception;
    }

    private static X500Name issuer(Issued ca) {
        return X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
    }

    private static Issued sign(X500Name subject, java.security.PublicKey publicKey, X500Name issuer, PrivateKey signingKey,
                               Extensions extensions, PrivateKey subjectKey) {
        try {
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).setBit(63),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject, publicKey);
            extensions.add(builder);
            String algorithm = signingKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(signingKey)));
            return new Issued(certificate, subjectKey);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test certificate", e);
        }
    }

    private static KeyPair keyPair(String algorithm, ECGenParameterSpec spec) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            generator.initialize(spec, RANDOM);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
