package io.stowage.server.audit;

import io.stowage.audit.AuditChains;
import io.stowage.audit.AuditRecord;
import io.stowage.audit.AuditVerifier;
import io.stowage.audit.RecordCodec;
import io.stowage.audit.SegmentFiles;
import io.stowage.audit.VerifyReport;
import io.stowage.audit.VerifyingKey;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A test's view of a registry's audit log on disk: its records, and verification with its exported public key. */
public final class AuditTrail {
    private final Path dataDir;

    public AuditTrail(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** The audit directory shared by replicas. */
    public Path root() {
        return dataDir.resolve("audit");
    }

    /** This registry's own chain: the one replica directory under the audit directory. */
    public Path directory() throws IOException {
        List<AuditChains.Chain> chains = new AuditChains(root()).list();
        if (chains.size() != 1 || chains.get(0).replica() == null) {
            throw new IllegalStateException("expected the chain of one replica in " + root() + ", found " + chains);
        }
        return chains.get(0).directory();
    }

    public Path publicKeyFile() {
        return dataDir.resolve("keys").resolve("audit-ed25519.pub.pem");
    }

    public VerifyingKey publicKey() throws IOException {
        return VerifyingKey.fromPem(Files.readString(publicKeyFile()));
    }

    /** Every complete record, oldest first. */
    public List<AuditRecord> records() throws IOException {
        List<AuditRecord> records = new ArrayList<>();
        for (Path segment : SegmentFiles.list(directory())) {
            for (SegmentFiles.Line line : SegmentFiles.readAll(segment)) {
                if (line.complete()) {
                    records.add(RecordCodec.fromMap(RecordCodec.parse(line.bytes())));
                }
            }
        }
        return records;
    }

    public List<AuditRecord> records(Predicate<AuditRecord> filter) throws IOException {
        return records().stream().filter(filter).toList();
    }

    /** Verifies as an auditor would; {@code live} accepts an unsigned tail of a log still being written. */
    public VerifyReport verify(boolean live) throws IOException {
        return new AuditVerifier(publicKey(), live).verify(directory());
    }
}
