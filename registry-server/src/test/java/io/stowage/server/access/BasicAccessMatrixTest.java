package io.stowage.server.access;

import io.stowage.server.TestRegistry;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The access matrix with {@code auth.mode: basic}: a user name and password on every request. */
class BasicAccessMatrixTest extends AccessMatrixContract {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry(AuthFixture.mode("basic"));

    @Override
    AuthClient client() {
        return new AuthClient(registry, false);
    }

    @Override
    String challengeScheme() {
        return "Basic";
    }
}
