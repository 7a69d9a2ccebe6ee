package io.stowage.audit;

/**
 * One line of the log: an entry with its place in the chain. {@code hash} is
 * SHA-256(prevHash as lowercase hex, then the canonical JSON of the record without {@code hash});
 * see {@link RecordCodec} for the exact bytes.
 *
 * @param replica the replica whose chain holds the record ({@link ReplicaId}); null in records
 *                written before chains had replicas, which keep verifying as they were written
 */
public record AuditRecord(long seq, String replica, AuditEntry entry, String prevHash, String hash) {

    /** The {@code prevHash} of the very first record of a log: 64 zeros. */
    public static final String GENESIS_HASH = "0".repeat(64);
}
