package io.stowage.server.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads certificates and private keys from PEM files with Bouncy Castle's {@link PEMParser}, which
 * understands every form that openssl, certbot, cert-manager and cfssl write: PKCS#8
 * ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) and SEC1 ({@code EC PRIVATE KEY}, also
 * after an {@code EC PARAMETERS} block). The JDK alone reads only PKCS#8, and Netty's own reader
 * falls back to Bouncy Castle anyway, so one reader for all keeps the behaviour the same. Other
 * blocks in a file are skipped, so a combined "certificate + key" file works for both settings.
 * Stateless.
 */
final class PemFiles {
    private PemFiles() {
    }

    /** Every {@code CERTIFICATE} block of the file, in file order; at least one. */
    static List<X509Certificate> certificates(Path file) throws TlsFileException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object object : objects(file)) {
            if (object instanceof X509CertificateHolder holder) {
                try {
                    certificates.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new TlsFileException(file + ": certificate " + (certificates.size() + 1)
                            + " cannot be decoded: " + e.getMessage(), e);
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new TlsFileException(file + ": no PEM block CERTIFICATE found");
        }
        return List.copyOf(certificates);
    }

    /** The one private key of the file: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), unencrypted. */
    static PrivateKey privateKey(Path file) throws TlsFileException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        PrivateKey found = null;
        for (Object object : objects(file)) {
            PrivateKey key;
            try {
                if (object instanceof PrivateKeyInfo info) {
                    key = converter.getPrivateKey(info);
                } else if (object instanceof PEMKeyPair pair) {
                    // Only the private half: an SEC1 key may be written without its public key.
                    key = converter.getPrivateKey(pair.getPrivateKeyInfo());
                } else if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
                    // A passphrase would have to sit in the configuration next to the key, protecting nothing.
                    throw new TlsFileException(file + ": the private key is encrypted; store it unencrypted with"
                            + " mode 0600 (openssl pkey -in KEY -out KEY.plain)");
                } else {
                    continue;
                }
            } catch (IOException e) {
                throw new TlsFileException(file + ": the private key cannot be decoded: " + e.getMessage(), e);
            }
            if (found != null) {
                throw new TlsFileException(file + ": more than one private key; keep only the server's");
            }
            found = key;
        }
        if (found == null) {
            throw new TlsFileException(file + ": no PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY) found");
        }
        return found;
    }

    private static List<Object> objects(Path file) throws TlsFileException {
        String text;
        try {
            // Latin-1 decodes any byte, so a stray accent in a comment line cannot fail the read.
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new TlsFileException(file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new TlsFileException(file + ": permission denied", e);
        } catch (IOException e) {
            throw new TlsFileException(file + ": cannot be read: " + e.getMessage(), e);
        }
        if (!text.contains("-----BEGIN ")) {
            throw new TlsFileException(file + ": not PEM (no -----BEGIN line); a DER certificate converts with"
                    + " openssl x509 -inform der -in FILE -out FILE.pem");
        }
        List<Object> objects = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            Object object;
            while ((object = parser.readObject()) != null) {
                objects.add(object);
            }
        } catch (IOException | RuntimeException e) {
            throw new TlsFileException(file + ": malformed PEM: " + e.getMessage(), e);
        }
        return objects;
    }
}
