package io.stowage.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which public key verifies which chain. Each replica may sign with its own key; the log exports
 * its public half beside its chain ({@value #PUBLIC_KEY_FILE}), so a copy of the audit directory
 * (or of the shipped bucket) carries everything a verifier needs. A key found beside a chain only
 * proves the chain consistent with itself: whoever can rewrite the chain can replace that file
 * too. Keys an auditor holds from elsewhere (given per replica, or a directory of
 * {@code <replica>.pem} files) take precedence, and other replicas' {@code audit.replicas} records
 * cross-check the key ids. Immutable.
 */
public final class ChainKeys {
    public static final String PUBLIC_KEY_FILE = "audit-ed25519.pub.pem";

    /** A key and where it came from, for the report. */
    public record Found(VerifyingKey key, String source) {
    }

    private final Map<String, VerifyingKey> given;
    private final VerifyingKey forAll;
    private final Path keyDirectory;

    /**
     * @param given        keys by replica id, from the auditor
     * @param forAll       one key for every chain without its own in {@code given} (one shared key,
     *                     or a log of the single-chain format); null for none
     * @param keyDirectory a directory of {@code <replica>.pem} public keys; null for none
     */
    public ChainKeys(Map<String, VerifyingKey> given, VerifyingKey forAll, Path keyDirectory) {
        this.given = Map.copyOf(given);
        this.forAll = forAll;
        this.keyDirectory = keyDirectory;
    }

    /** Only the keys exported beside each chain. */
    public static ChainKeys exportedOnly() {
        return new ChainKeys(Map.of(), null, null);
    }

    public Map<String, VerifyingKey> given() {
        return new TreeMap<>(given);
    }

    /** The key for {@code chain}, or null when there is none anywhere. */
    public Found find(AuditChains.Chain chain) throws IOException {
        String replica = chain.replica();
        if (replica != null && given.containsKey(replica)) {
            return new Found(given.get(replica), "given for " + replica);
        }
        if (replica != null && keyDirectory != null) {
            Path file = keyDirectory.resolve(replica + ".pem");
            if (Files.exists(file)) {
                return new Found(VerifyingKey.fromPem(Files.readString(file)), file.toString());
            }
        }
        if (forAll != null) {
            return new Found(forAll, "given");
        }
        VerifyingKey exported = exported(chain.directory());
        return exported == null ? null : new Found(exported, "exported beside the chain (" + PUBLIC_KEY_FILE + ")");
    }

    /** The public key exported beside a chain, or null when there is none. */
    public static VerifyingKey exported(Path chainDirectory) throws IOException {
        Path file = chainDirectory.resolve(PUBLIC_KEY_FILE);
        return Files.exists(file) ? VerifyingKey.fromPem(Files.readString(file)) : null;
    }

    /**
     * Writes the public key beside the chain; refuses when the chain already has another one, since
     * its earlier checkpoints would no longer verify with the key exported there.
     */
    static void export(Path chainDirectory, VerifyingKey key) throws IOException {
        VerifyingKey present = exported(chainDirectory);
        if (present != null) {
            if (!present.keyId().equals(key.keyId())) {
                throw new IOException("the audit chain " + chainDirectory + " is signed with key " + present.keyId()
                        + " (" + PUBLIC_KEY_FILE + "), but this replica's key is " + key.keyId()
                        + "; restore audit.keyFile or give this replica another replica.id");
            }
            return;
        }
        Path temp = chainDirectory.resolve(PUBLIC_KEY_FILE + ".tmp");
        Files.write(temp, key.toPem().getBytes(StandardCharsets.US_ASCII), StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        Files.move(temp, chainDirectory.resolve(PUBLIC_KEY_FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        AuditChains.syncDirectory(chainDirectory);
    }
}
