package io.stowage.server.tls;

/**
 * A certificate, key or CA file that cannot be used. The message names the file and says what is
 * wrong, never showing key material, and is shown to the operator as is.
 */
public final class TlsFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public TlsFileException(String message) {
        super(message);
    }

    public TlsFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
