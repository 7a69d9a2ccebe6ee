package io.stowage.server.access;

import io.stowage.server.TestRegistry;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The access matrix with {@code auth.mode: token}: each call carries a token that the caller got
 * from {@code /auth/token} for the scopes the call needs (anonymous callers get anonymous tokens).
 */
class TokenAccessMatrixTest extends AccessMatrixContract {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry(AuthFixture.mode("token"));

    @Override
    AuthClient client() {
        return new AuthClient(registry, true);
    }

    @Override
    String challengeScheme() {
        return "Bearer";
    }
}
