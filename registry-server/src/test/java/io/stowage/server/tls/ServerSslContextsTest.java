package io.stowage.server.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLEngine;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The policy of the context; protocols are checked where the JDK would allow more: {@link TlsProtocolPolicyTest}. */
class ServerSslContextsTest {

    private static SSLEngine engine(ClientAuthMode mode) throws Exception {
        DevCertificate dev = TestPki.devCertificate();
        TestPki.Issued ca = TestPki.ca("Client CA");
        SslContext context = ServerSslContexts.build(
                new TlsMaterial(List.of(dev.certificate()), dev.privateKey(), List.of(ca.certificate())), mode);
        return context.newEngine(ByteBufAllocator.DEFAULT);
    }

    @Test
    void onlyForwardSecretAeadCipherSuitesAreEnabled() throws Exception {
        List<String> enabled = List.of(engine(ClientAuthMode.NONE).getEnabledCipherSuites());
        assertTrue(ServerSslContexts.CIPHERS.containsAll(enabled), enabled.toString());
        assertTrue(enabled.contains("TLS_AES_128_GCM_SHA256"), "a TLS 1.3 suite: " + enabled);
        assertTrue(enabled.contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), "a TLS 1.2 suite: " + enabled);
        for (String suite : enabled) {
            assertFalse(suite.contains("CBC") || suite.contains("_RSA_WITH_") && !suite.contains("ECDHE"), suite);
        }
    }

    @Test
    void clientCertificatesAreAskedForAsConfigured() throws Exception {
        SSLEngine none = engine(ClientAuthMode.NONE);
        assertFalse(none.getNeedClientAuth() || none.getWantClientAuth());
        assertTrue(engine(ClientAuthMode.OPTIONAL).getWantClientAuth());
        assertTrue(engine(ClientAuthMode.REQUIRE).getNeedClientAuth());
    }
}
