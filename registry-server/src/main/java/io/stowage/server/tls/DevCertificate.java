package io.stowage.server.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A self-signed server certificate for trying TLS on one machine ({@code registry dev-cert}): an
 * EC P-256 key, the names {@code localhost}, {@code 127.0.0.1} and {@code ::1} plus any given, and
 * no CA behind it. Clients trust it by holding the certificate itself (containers' and Docker's
 * {@code certs.d/HOST:PORT/*.crt}, a Java trust store), which works because it is its own issuer.
 * It says {@code CA:FALSE}, so trusting it cannot make a client trust anything else it might sign.
 * Immutable.
 *
 * @param certificate the certificate
 * @param privateKey  its key
 * @param names       the DNS names and IP addresses it is valid for, as written in its
 *                    subject alternative names: {@link #LOCAL_NAMES} first, then those given
 */
public record DevCertificate(X509Certificate certificate, PrivateKey privateKey, List<String> names) {
    /** The names every development certificate carries: what a client on the same machine dials. */
    public static final List<String> LOCAL_NAMES = List.of("localhost", "127.0.0.1", "::1");
    /** At most as long as browsers and Apple's clients accept for a server certificate. */
    public static final int MAX_DAYS = 825;

    /** A DNS name, optionally with a leading wildcard label; letters, digits and hyphens per label. */
    private static final Pattern DNS_NAME = Pattern.compile(
            "(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    /** Clocks of the machines involved may disagree a little; a certificate made "now" must already be valid. */
    private static final Duration BACKDATE = Duration.ofHours(1);

    public DevCertificate {
        names = List.copyOf(names);
    }

    /**
     * Makes a new key and certificate.
     *
     * @param hosts names or IP addresses besides {@link #LOCAL_NAMES}
     * @param days  validity from now, 1 to {@link #MAX_DAYS}
     * @throws IllegalArgumentException for a name that is neither a DNS name nor an IP address, or bad days
     */
    public static DevCertificate create(List<String> hosts, int days, Clock clock) {
        if (days < 1 || days > MAX_DAYS) {
            throw new IllegalArgumentException("days must be between 1 and " + MAX_DAYS + ", not " + days);
        }
        Set<String> names = new LinkedHashSet<>(LOCAL_NAMES);
        for (String host : hosts) {
            names.add(canonicalName(host));
        }
        try {
            SecureRandom random = new SecureRandom();
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair pair = generator.generateKeyPair();

            String first = hosts.isEmpty() ? "localhost" : canonicalName(hosts.get(0));
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.CN, first)
                    .addRDN(BCStyle.O, "Stowage development certificate")
                    .build();
            Instant now = clock.instant();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(127, random).setBit(126), // positive, 16 bytes, never zero
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(Duration.ofDays(days))),
                    subject, pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, alternativeNames(names));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            return new DevCertificate(certificate, pair.getPrivate(), List.copyOf(names));
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("this JVM cannot make an EC P-256 certificate", e);
        }
    }

    /** The certificate as a PEM {@code CERTIFICATE} block. */
    public String certificatePem() {
        try {
            return pem("CERTIFICATE", certificate.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("a certificate made here cannot be encoded", e);
        }
    }

    /** The key as a PKCS#8 PEM {@code PRIVATE KEY} block, as {@code openssl genpkey} writes it. */
    public String privateKeyPem() {
        return pem("PRIVATE KEY", privateKey.getEncoded());
    }

    private static GeneralNames alternativeNames(Set<String> names) {
        List<GeneralName> general = new ArrayList<>();
        for (String name : names) {
            general.add(IPAddress.isValid(name)
                    ? new GeneralName(GeneralName.iPAddress, name)
                    : new GeneralName(GeneralName.dNSName, name));
        }
        return new GeneralNames(general.toArray(GeneralName[]::new));
    }

    /**
     * The name as it goes into the certificate: IP addresses as given (without brackets), DNS
     * names in lower case.
     *
     * @throws IllegalArgumentException when it is neither
     */
    public static String canonicalName(String host) {
        String trimmed = host.trim();
        if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
            trimmed = trimmed.substring(1, trimmed.length() - 1);
        }
        if (IPAddress.isValid(trimmed)) {
            return trimmed;
        }
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (lower.length() > 253 || !DNS_NAME.matcher(lower).matches()) {
            throw new IllegalArgumentException("'" + host + "' is neither a DNS name nor an IP address");
        }
        return lower;
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
