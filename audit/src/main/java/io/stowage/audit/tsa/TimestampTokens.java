package io.stowage.audit.tsa;

import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformationVerifier;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampToken;
import org.bouncycastle.tsp.TimeStampTokenInfo;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;

/**
 * Offline checks of stored time-stamp tokens, for verifying an audit log long after the TSA
 * answered: the caller supplies the TSA certificate it trusts, so a token proves a time only if
 * that authority signed it over exactly the checkpoint's digest. Uses the JDK's own signature
 * providers, so verifying never changes the process-wide JCA provider list.
 */
public final class TimestampTokens {
    private TimestampTokens() {
    }

    /**
     * Checks that {@code tokenDer} is a time-stamp token over {@code sha256}, imprinted with
     * SHA-256 and signed by {@code tsaCertificate}, and returns the time the TSA vouches for.
     * Signature, the token's signing-certificate reference, the certificate's critical
     * time-stamping extended key usage and its validity at that time are all checked; revocation
     * and chains to a root are not, since the caller pins the exact certificate it trusts.
     *
     * @throws TimestampException if any of those checks fails or the token cannot be parsed
     */
    public static Instant verify(byte[] tokenDer, byte[] sha256, X509Certificate tsaCertificate)
            throws TimestampException {
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(tsaCertificate, "tsaCertificate");
        TimeStampToken token = parse(tokenDer);
        TimeStampTokenInfo info = token.getTimeStampInfo();
        if (!NISTObjectIdentifiers.id_sha256.equals(info.getMessageImprintAlgOID())) {
            throw new TimestampException("token imprints with algorithm " + info.getMessageImprintAlgOID()
                    + ", not SHA-256");
        }
        if (!MessageDigest.isEqual(info.getMessageImprintDigest(), sha256)) {
            throw new TimestampException("token covers a different digest");
        }
        SignerInformationVerifier verifier;
        try {
            verifier = new JcaSimpleSignerInfoVerifierBuilder().build(tsaCertificate);
        } catch (OperatorCreationException e) {
            throw new TimestampException("cannot verify with the TSA certificate: " + e.getMessage(), e);
        }
        try {
            token.validate(verifier);
        } catch (TSPException | IllegalArgumentException e) {
            throw new TimestampException("token not validly signed by "
                    + tsaCertificate.getSubjectX500Principal().getName() + ": " + e.getMessage(), e);
        }
        return info.getGenTime().toInstant();
    }

    /**
     * The certificate of the token's signer, as carried in the token (present when the request
     * asked for it, as {@link Rfc3161Timestamper} does), or {@code null} when the token carries
     * none. Untrusted by itself: useful for display or for finding which pinned certificate to
     * verify against, never as the trust anchor.
     *
     * @throws TimestampException if the token or its certificate cannot be parsed
     */
    public static X509Certificate embeddedCertificate(byte[] tokenDer) throws TimestampException {
        TimeStampToken token = parse(tokenDer);
        @SuppressWarnings("unchecked")
        Collection<X509CertificateHolder> matches = token.getCertificates().getMatches(token.getSID());
        if (matches.isEmpty()) {
            return null;
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(matches.iterator().next());
        } catch (CertificateException e) {
            throw new TimestampException("token carries an unreadable certificate: " + e.getMessage(), e);
        }
    }

    private static TimeStampToken parse(byte[] tokenDer) throws TimestampException {
        Objects.requireNonNull(tokenDer, "tokenDer");
        try {
            return new TimeStampToken(new CMSSignedData(tokenDer));
        } catch (CMSException | TSPException | IOException | IllegalArgumentException | IllegalStateException
                 | ClassCastException e) {
            throw new TimestampException("not a time-stamp token: " + e.getMessage(), e);
        }
    }
}
