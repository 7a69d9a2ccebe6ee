package io.stowage.server.tls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * The certificate chain, private key and client CAs of a {@link TlsSettings}, read and checked
 * together: the key must belong to the first certificate, so that a key and certificate from two
 * different renewals are refused here, with the file names, instead of failing every handshake.
 * Immutable.
 *
 * @param chain     the server's certificate first, then intermediates, as sent to clients
 * @param key       the private key of {@code chain.get(0)}
 * @param clientCas the CAs whose certificates clients may present; empty when none are asked for
 */
public record TlsMaterial(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> clientCas) {

    public TlsMaterial {
        chain = List.copyOf(chain);
        clientCas = List.copyOf(clientCas);
    }

    /** Reads the files of {@code settings}. */
    public static TlsMaterial read(TlsSettings settings) throws TlsFileException {
        List<X509Certificate> chain = PemFiles.certificates(settings.certFile());
        PrivateKey key = PemFiles.privateKey(settings.keyFile());
        requireMatch(key, chain.get(0), settings.keyFile(), settings.certFile());
        Optional<Path> caFile = settings.clientCaFile();
        List<X509Certificate> cas = caFile.isPresent() ? PemFiles.certificates(caFile.get()) : List.of();
        return new TlsMaterial(chain, key, cas);
    }

    /** The certificate clients see. */
    public X509Certificate leaf() {
        return chain.get(0);
    }

    /**
     * Signs a test message with the key and checks it with the certificate's public key: one check
     * for every key type, where comparing key fields would need code per algorithm.
     */
    private static void requireMatch(PrivateKey key, X509Certificate certificate, Path keyFile, Path certFile)
            throws TlsFileException {
        PublicKey publicKey = certificate.getPublicKey();
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            throw new TlsFileException(keyFile + " holds an " + key.getAlgorithm() + " key but the first certificate of "
                    + certFile + " has an " + publicKey.getAlgorithm() + " key: they are not a pair");
        }
        Optional<String> algorithm = signatureAlgorithm(key);
        if (algorithm.isEmpty()) {
            return; // an unusual key type: the handshake itself will tell
        }
        byte[] message = "stowage: does this key belong to this certificate?".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm.get());
            signer.initSign(key);
            signer.update(message);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm.get());
            verifier.initVerify(publicKey);
            verifier.update(message);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new TlsFileException("the private key in " + keyFile + " does not belong to the first certificate in "
                    + certFile + " (" + certificate.getSubjectX500Principal().getName()
                    + "): they come from different renewals, or the file does not start with the server's own"
                    + " certificate (it must come first, then its intermediates)");
        }
    }

    private static Optional<String> signatureAlgorithm(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "RSA" -> Optional.of("SHA256withRSA");
            case "EC" -> Optional.of("SHA256withECDSA");
            case "Ed25519", "Ed448", "EdDSA" -> Optional.of(key.getAlgorithm());
            default -> Optional.empty();
        };
    }
}
