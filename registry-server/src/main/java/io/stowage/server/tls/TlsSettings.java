package io.stowage.server.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the listener's certificate, key and client CA live, and how they are used. Only the
 * settings: the files are read by {@link TlsMaterial}. Immutable.
 *
 * @param certFile     PEM certificates: the server's own first, then any intermediates
 * @param keyFile      the PEM private key of the first certificate
 * @param clientCaFile PEM certificates of the CAs that sign client certificates; empty unless
 *                     {@code clientAuth} asks for certificates
 * @param clientAuth   whether clients must present a certificate
 * @param reloadCheck  how often the files are looked at for a change
 */
public record TlsSettings(Path certFile, Path keyFile, Optional<Path> clientCaFile, ClientAuthMode clientAuth,
                          Duration reloadCheck) {

    public TlsSettings {
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(clientCaFile, "clientCaFile");
        Objects.requireNonNull(clientAuth, "clientAuth");
        if (reloadCheck.isNegative() || reloadCheck.isZero()) {
            throw new IllegalArgumentException("reloadCheck must be positive, was " + reloadCheck);
        }
        if (clientAuth != ClientAuthMode.NONE && clientCaFile.isEmpty()) {
            throw new IllegalArgumentException("client authentication '" + clientAuth
                    + "' needs a client CA file to check client certificates against");
        }
        if (clientAuth == ClientAuthMode.NONE) {
            // A CA that nothing checks against would only suggest a protection that is not there.
            clientCaFile = Optional.empty();
        }
    }
}
