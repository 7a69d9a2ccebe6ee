package io.stowage.server.auth;

/**
 * A credential, policy or key file that cannot be used: unreadable, or with content that is
 * wrong. The message names the file and, where there is one, the line, and never contains a
 * secret (a password hash, a private key).
 */
public final class AuthFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public AuthFileException(String message) {
        super(message);
    }

    public AuthFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
