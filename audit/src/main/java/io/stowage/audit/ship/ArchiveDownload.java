package io.stowage.audit.ship;

import io.stowage.audit.AuditChains;
import io.stowage.audit.ChainKeys;
import io.stowage.audit.ReplicaId;
import io.stowage.audit.SegmentFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies what replicas shipped into an archive back into a local audit directory laid out as on
 * a replica ({@code replicas/<id>/segment-*.log} and the public key), so the archive verifies with
 * the same {@link io.stowage.audit.ChainsVerifier} as a live directory. Keys that are not a
 * replica's segment or public key are left out and listed. Stateless.
 */
public final class ArchiveDownload {

    /** What was fetched: the directory to verify, and the keys that were not audit files. */
    public record Result(AuditChains chains, int files, List<String> ignored) {
    }

    private ArchiveDownload() {
    }

    public static Result download(SegmentArchive archive, Path target) throws IOException {
        AuditChains chains = new AuditChains(target);
        List<String> ignored = new ArrayList<>();
        int files = 0;
        for (String key : archive.list()) {
            int slash = key.indexOf('/');
            String replica = slash < 0 ? "" : key.substring(0, slash);
            String name = slash < 0 ? key : key.substring(slash + 1);
            boolean auditFile = SegmentFiles.number(name) >= 0 || name.equals(ChainKeys.PUBLIC_KEY_FILE);
            if (!ReplicaId.isValid(replica) || !auditFile) {
                ignored.add(key);
                continue;
            }
            Path chain = Files.createDirectories(chains.chainDirectory(replica));
            archive.get(key, chain.resolve(name));
            files++;
        }
        return new Result(chains, files, ignored);
    }
}
