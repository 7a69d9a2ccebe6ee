package io.stowage.server.auth;

/**
 * A bearer token that is not accepted, with the reason. The message is for the log; the client is
 * told only {@code invalid_token}, so that it learns nothing about our keys or clock.
 */
public final class TokenRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a token was not accepted. */
    public enum Reason {
        /** Not a compact JWS with JSON header and claims, or a claim of the wrong shape. */
        MALFORMED,
        /** {@code alg} is {@code none}, HMAC, or not the one our key for this {@code kid} signs with. */
        UNSUPPORTED_ALGORITHM,
        /** No {@code kid}, or one that names no key we trust. */
        UNKNOWN_KEY,
        /** The signature does not verify with the key its {@code kid} names. */
        BAD_SIGNATURE,
        /** {@code exp} is past (beyond the clock skew), or missing. */
        EXPIRED,
        /** {@code nbf} is still ahead (beyond the clock skew). */
        NOT_YET_VALID,
        /** {@code iss} is not the issuer of the key that signed it. */
        WRONG_ISSUER,
        /** {@code aud} does not name this registry's service. */
        WRONG_AUDIENCE
    }

    private final Reason reason;

    public TokenRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
