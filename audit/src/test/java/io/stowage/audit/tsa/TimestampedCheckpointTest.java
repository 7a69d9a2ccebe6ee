package io.stowage.audit.tsa;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditLog;
import io.stowage.audit.AuditRecord;
import io.stowage.audit.AuditSettings;
import io.stowage.audit.AuditVerifier;
import io.stowage.audit.Checkpoint;
import io.stowage.audit.SigningKey;
import io.stowage.audit.VerifyReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoints of a real log, timestamped by a real TSA on loopback, verify against its certificate. */
class TimestampedCheckpointTest {
    @TempDir
    Path data;

    @Test
    void checkpointsCarryATokenOverTheirStatement() throws Exception {
        try (LoopbackTsa tsa = new LoopbackTsa()) {
            SigningKey key = SigningKey.loadOrCreate(data.resolve("key.pem"));
            AuditRecord checkpoint;
            try (AuditLog log = AuditLog.open(AuditSettings.defaults(data.resolve("audit")), key, Clock.systemUTC(),
                    new Rfc3161Timestamper(tsa.uri(), Duration.ofSeconds(10)))) {
                log.append(AuditEntry.event(Instant.now(), "test.event", "alice", "team/app", null, null, null)).join();
                checkpoint = log.checkpointNow().join();
            }
            assertNotNull(checkpoint);
            Map<String, Object> detail = checkpoint.entry().detail();
            byte[] token = Base64.getDecoder().decode((String) detail.get("timestampToken"));
            byte[] statement = Checkpoint.fromDetail(detail).signedBytes();
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(statement);
            Instant stamped = TimestampTokens.verify(token, digest, tsa.certificate());
            assertTrue(Duration.between(stamped, Instant.now()).abs().toMinutes() < 1);
            VerifyReport report = new AuditVerifier(key.verifyingKey(), false).verify(data.resolve("audit"));
            assertTrue(report.ok(), report.toString());
        }
    }

    @Test
    void aFailingTsaLeavesTheCheckpointSignedAndSaysWhy() throws Exception {
        try (LoopbackTsa tsa = new LoopbackTsa()) {
            tsa.answer(LoopbackTsa.Answer.HTTP_500);
            SigningKey key = SigningKey.loadOrCreate(data.resolve("key.pem"));
            AuditRecord checkpoint;
            try (AuditLog log = AuditLog.open(AuditSettings.defaults(data.resolve("audit")), key, Clock.systemUTC(),
                    new Rfc3161Timestamper(tsa.uri(), Duration.ofSeconds(5)))) {
                log.append(AuditEntry.event(Instant.now(), "test.event", "alice", null, null, null, null)).join();
                checkpoint = log.checkpointNow().join();
            }
            assertTrue(((String) checkpoint.entry().detail().get("timestampError")).contains("500"));
            assertEquals(true, new AuditVerifier(key.verifyingKey(), false).verify(data.resolve("audit")).ok());
        }
    }
}
