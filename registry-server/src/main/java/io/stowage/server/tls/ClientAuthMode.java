package io.stowage.server.tls;

import java.util.Locale;

/** Whether a client must prove who it is with a certificate during the TLS handshake. */
public enum ClientAuthMode {
    /** No certificate is asked for. */
    NONE,
    /** A certificate is asked for; a client may send none, but one it sends must be signed by the client CA. */
    OPTIONAL,
    /** A client without a certificate signed by the client CA is refused during the handshake. */
    REQUIRE;

    /** The mode named {@code none}, {@code optional} or {@code require} (any case). */
    public static ClientAuthMode parse(String text) {
        for (ClientAuthMode mode : values()) {
            if (mode.name().equalsIgnoreCase(text.trim())) {
                return mode;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not one of none, optional, require");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
