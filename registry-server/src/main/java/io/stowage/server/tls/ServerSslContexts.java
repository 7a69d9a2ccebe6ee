package io.stowage.server.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

import javax.net.ssl.SSLException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Builds the listener's Netty {@link SslContext} from {@link TlsMaterial}, with the one TLS policy
 * of the registry: TLS 1.3 and 1.2 only, forward-secret AEAD ciphers only, HTTP/1.1 by ALPN, and
 * client certificates checked against the client CAs when asked for. Uses the JDK's TLS
 * implementation: no native library to ship, and a registry's TLS cost is small next to its disk.
 * Stateless.
 */
public final class ServerSslContexts {
    /** TLS 1.0 and 1.1 are deprecated (RFC 8996); every registry client of the last years speaks 1.2. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * TLS 1.3's own suites (all AEAD), then for TLS 1.2 only ECDHE key exchange (forward secrecy)
     * with AES-GCM or ChaCha20-Poly1305: no CBC (padding oracles), no RSA key exchange, no SHA-1
     * MACs. ECDSA and RSA variants both, so either kind of certificate works.
     */
    public static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private ServerSslContexts() {
    }

    /** A server context presenting {@code material}'s chain and asking for client certificates as {@code clientAuth} says. */
    public static SslContext build(TlsMaterial material, ClientAuthMode clientAuth) throws TlsFileException {
        SslContextBuilder builder = SslContextBuilder
                .forServer(material.key(), material.chain().toArray(X509Certificate[]::new))
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                // Only HTTP/1.1 is served: a client offering h2 and http/1.1 (the JDK client, curl)
                // is told http/1.1; one offering only h2 gets no ALPN answer and may fall back or quit.
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_1_1));
        switch (clientAuth) {
            case NONE -> builder.clientAuth(ClientAuth.NONE);
            case OPTIONAL -> builder.clientAuth(ClientAuth.OPTIONAL)
                    .trustManager(material.clientCas().toArray(X509Certificate[]::new));
            case REQUIRE -> builder.clientAuth(ClientAuth.REQUIRE)
                    .trustManager(material.clientCas().toArray(X509Certificate[]::new));
        }
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new TlsFileException("cannot set up TLS with " + material.leaf().getSubjectX500Principal().getName()
                    + ": " + e.getMessage(), e);
        }
    }
}
