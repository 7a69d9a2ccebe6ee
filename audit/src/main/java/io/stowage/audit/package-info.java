/**
 * The write-once audit log: canonical JSON records, hash-chained across segment files, sealed
 * with Ed25519-signed checkpoints, group-committed to disk, verifiable offline with only the
 * public key. See {@code docs/audit.md} for the formats an independent verifier needs.
 */
package io.stowage.audit;
