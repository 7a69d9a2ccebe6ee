/**
 * RFC 3161 time-stamping for audit checkpoints. A checkpoint signed with the registry's own key
 * proves who wrote it but not when, since whoever holds the key could re-sign history later;
 * a token from an independent time-stamping authority (TSA) pins the checkpoint digest to a
 * time the registry cannot forge. {@link io.stowage.audit.tsa.Rfc3161Timestamper} obtains tokens,
 * {@link io.stowage.audit.tsa.TimestampTokens} checks them offline against the TSA certificate.
 */
package io.stowage.audit.tsa;
