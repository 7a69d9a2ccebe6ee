package io.stowage.recovery.reimport;

import io.stowage.audit.AuditChains;
import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditLog;
import io.stowage.audit.AuditSettings;
import io.stowage.audit.SigningKey;
import io.stowage.audit.index.ReplicaIndexes;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With several replicas, the audited push of a digest is found in whichever replica's chain holds it. */
class PushProvenanceReplicasTest {
    @TempDir
    Path data;

    private AuditLog open(String replica) throws IOException {
        return new AuditChains(data.resolve("audit")).open(AuditSettings.defaults(data.resolve("audit"))
                .withReplica(replica), SigningKey.loadOrCreate(data.resolve("keys-" + replica + "/k.pem")),
                Clock.systemUTC(), null);
    }

    private static AuditEntry push(String repository, String reference, Digest digest, Instant time) {
        return new AuditEntry(AuditEntry.REQUEST, time, "req", "alice", "127.0.0.1", "PUT",
                "/v2/" + repository + "/manifests/" + reference, "manifest.put", repository, reference,
                digest.toString(), 201, 100L, 0L, 1L, "test", null);
    }

    @Test
    void aPushAcceptedByAnotherReplicaIsFoundWithThatReplica() throws IOException {
        Digest digest = Digest.sha256("manifest".getBytes(StandardCharsets.UTF_8));
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        try (AuditLog a = open("a"); AuditLog b = open("b");
             ReplicaIndexes indexes = new ReplicaIndexes(data.resolve("index"), new AuditChains(data.resolve("audit")), "a")) {
            // Earliest, but by digest; later, on b, under the tag asked for: the tag wins.
            a.append(push("team/app", digest.toString(), digest, t0)).join();
            b.append(push("team/app", "v1", digest, t0.plusSeconds(60))).join();
            PushProvenance provenance = new PushProvenance(indexes::byReplica);

            Optional<PushProvenance.PushRecord> tagged = provenance.find("team/app", "v1", digest);
            assertTrue(tagged.isPresent());
            assertEquals("b", tagged.get().replica());
            assertTrue(tagged.get().tagMatched());
            assertTrue(tagged.get().checkpoint() == null || tagged.get().checkpoint().seq() > tagged.get().seq());

            Optional<PushProvenance.PushRecord> anyTag = provenance.find("team/app", null, digest);
            assertEquals("a", anyTag.get().replica(), "without a tag, the earliest push");
            assertTrue(provenance.find("other/app", null, digest).isEmpty());
        }
    }
}
