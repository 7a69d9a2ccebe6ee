/**
 * TLS for the HTTP listener: the settings, reading the certificate and key from PEM files, the
 * Netty {@code SslContext} with the protocols and ciphers we allow, replacing it when the files
 * change, and the self-signed certificate of {@code registry dev-cert}. Nothing here touches a
 * request; {@code server.http} asks for the current context once per new connection.
 * Behaviour for operators: {@code docs/security.md}, section "Transport".
 */
package io.stowage.server.tls;
