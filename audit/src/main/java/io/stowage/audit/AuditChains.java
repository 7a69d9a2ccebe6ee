package io.stowage.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The layout of an audit directory shared by replicas: one chain per replica, each in its own
 * directory, so replicas on one volume never write the same file.
 *
 * <pre>
 * &lt;audit.dir&gt;/
 *   replicas/&lt;replica id&gt;/segment-000001.log ...   that replica's chain (see {@link AuditLog})
 *   replicas/&lt;replica id&gt;/head.json               its newest checkpoint
 *   replicas/&lt;replica id&gt;/audit-ed25519.pub.pem   the public key its checkpoints verify with
 *   replicas/&lt;replica id&gt;/writer.lock             held while a log writes the chain
 *   segment-000001.log ..., head.json               a log of the single-chain format, until adopted
 * </pre>
 *
 * <p>A log of the single-chain format (segments directly in the audit directory, records naming
 * no replica) is adopted once by the first replica that opens a chain of its own here: its
 * segments and {@code head.json} move, unchanged, into that replica's directory, and the replica
 * continues the chain, so it verifies as one chain from its first record. A marker file names
 * the adopting replica first, so an adoption cut short by a crash is finished by the same replica
 * and never split between two. Thread-safe; across processes adoption is serialised by a file lock.
 */
public final class AuditChains {
    private static final Logger log = LoggerFactory.getLogger(AuditChains.class);
    public static final String REPLICAS = "replicas";
    static final String ADOPTION_MARKER = "adopted-by";
    private static final String ADOPTION_LOCK = "adoption.lock";

    /** A chain found in the directory; {@code replica} is null for a log of the single-chain format. */
    public record Chain(String replica, Path directory) {
        /** How a report names the chain. */
        public String label() {
            return replica == null ? "(single-chain log)" : replica;
        }
    }

    private final Path root;

    public AuditChains(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** Where the chain of {@code replica} lives (whether or not it exists yet). */
    public Path chainDirectory(String replica) {
        return root.resolve(REPLICAS).resolve(ReplicaId.check(replica));
    }

    /** Every chain present, the single-chain log (when not adopted) first, then by replica id. */
    public List<Chain> list() throws IOException {
        List<Chain> chains = new ArrayList<>();
        if (!SegmentFiles.list(root).isEmpty()) {
            chains.add(new Chain(null, root));
        }
        Path replicas = root.resolve(REPLICAS);
        if (Files.isDirectory(replicas)) {
            try (Stream<Path> dirs = Files.list(replicas)) {
                dirs.filter(Files::isDirectory)
                        .filter(d -> ReplicaId.isValid(d.getFileName().toString()))
                        .sorted()
                        .forEach(d -> chains.add(new Chain(d.getFileName().toString(), d)));
            }
        }
        return chains;
    }

    /**
     * Creates the chain directory of {@code replica}, first adopting a log of the single-chain
     * format when one is here and no other replica has claimed it.
     */
    public Path prepare(String replica) throws IOException {
        Path chain = chainDirectory(replica);
        Files.createDirectories(chain);
        synchronized (AuditChains.class) {
            try (FileChannel lockFile = FileChannel.open(root.resolve(ADOPTION_LOCK), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                adoptIfUnclaimed(replica, chain);
            }
        }
        return chain;
    }

    private void adoptIfUnclaimed(String replica, Path chain) throws IOException {
        List<Path> legacy = SegmentFiles.list(root);
        Path marker = root.resolve(ADOPTION_MARKER);
        if (legacy.isEmpty()) {
            // An adoption that moved every segment but stopped before removing its marker.
            Files.deleteIfExists(marker);
            return;
        }
        if (Files.exists(marker)) {
            String owner = Files.readString(marker, StandardCharsets.UTF_8).strip();
            if (!owner.equals(replica)) {
                return; // that replica's adoption was cut short; it finishes it when it starts again
            }
        } else {
            if (!SegmentFiles.list(chain).isEmpty()) {
                log.warn("audit directory holds a log of the single-chain format, but replica={} already has a chain;"
                        + " the old log stays where it is and is verified as a chain of its own", replica);
                return;
            }
            Files.write(marker, replica.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            syncDirectory(root);
        }
        for (Path segment : legacy) {
            Files.move(segment, chain.resolve(segment.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        }
        Path head = root.resolve(SegmentFiles.HEAD_FILE);
        if (Files.exists(head)) {
            Files.move(head, chain.resolve(SegmentFiles.HEAD_FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(chain);
        syncDirectory(root);
        Files.delete(marker);
        syncDirectory(root);
        log.info("audit log of the single-chain format adopted by replica={} segments={} chain={}", replica,
                legacy.size(), chain);
    }

    /**
     * Opens the chain of {@code settings.replica()} under this directory: adopts a log of the
     * single-chain format if due, exports the public key beside the chain, opens the log (which
     * refuses when another writer holds the chain) and records which other chains are here, with
     * the key each verifies with, so a verifier notices a chain later removed or re-signed.
     */
    public AuditLog open(AuditSettings settings, SigningKey key, java.time.Clock clock, Timestamper timestamper)
            throws IOException {
        String replica = ReplicaId.check(settings.replica());
        Path chain = prepare(replica);
        ChainKeys.export(chain, key.verifyingKey());
        AuditLog opened = AuditLog.open(settings.withDirectory(chain), key, clock, timestamper);
        try {
            java.util.Map<String, Object> others = new java.util.TreeMap<>();
            for (Chain other : list()) {
                if (other.replica() != null && !other.replica().equals(replica)) {
                    VerifyingKey theirs = ChainKeys.exported(other.directory());
                    others.put(other.replica(), theirs == null ? "unknown" : theirs.keyId());
                }
            }
            if (!others.isEmpty()) {
                opened.append(AuditEntry.event(clock.instant(), REPLICAS_EVENT, "registry", null, null, null,
                        java.util.Map.of("replicas", others))).join();
            }
            return opened;
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /** The event a replica writes at start naming the other chains it found, with their key ids. */
    public static final String REPLICAS_EVENT = "audit.replicas";

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
