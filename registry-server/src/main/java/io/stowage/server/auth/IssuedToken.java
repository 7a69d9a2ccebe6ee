package io.stowage.server.auth;

import java.time.Duration;
import java.time.Instant;

/**
 * A token as the token endpoint returns it: {@code {"token": ..., "access_token": ...,
 * "expires_in": ..., "issued_at": ...}}. Times are whole seconds, as in the token itself.
 *
 * @param token     the signed JWT
 * @param issuedAt  its {@code iat}
 * @param expiresAt its {@code exp}
 */
public record IssuedToken(String token, Instant issuedAt, Instant expiresAt) {
    /** {@code expires_in} of the token response. */
    public long expiresInSeconds() {
        return Duration.between(issuedAt, expiresAt).getSeconds();
    }
}
