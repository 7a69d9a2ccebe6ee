package io.stowage.recovery.backup;

import io.stowage.audit.AuditRecord;
import io.stowage.audit.AuditSink;
import io.stowage.gc.GcFixture;
import io.stowage.gc.GcSettings;
import io.stowage.recovery.jobs.JobLeases;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.JdbcMetadataStore;
import io.stowage.storage.meta.PostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two replicas (two metadata stores on one PostgreSQL database, one blob directory, one backup
 * directory) back up one at a time, and their schedules make one backup per interval between them.
 */
class BackupsReplicasTest {
    private static final Duration HOUR = Duration.ofHours(1);
    @TempDir
    Path dir;
    private GcFixture a;
    private GcFixture b;
    private final GatedSink auditA = new GatedSink();
    private final GatedSink auditB = new GatedSink();
    private Backups backupsA;
    private Backups backupsB;
    private String to;

    @BeforeEach
    void open() throws Exception {
        PostgresServer.Database database = PostgresServer.shared().createDatabase();
        GcSettings settings = new GcSettings(Duration.ofHours(24), Duration.ofDays(30), 50);
        a = new GcFixture(dir.resolve("data"), settings, AuditSink.NONE,
                clock -> JdbcMetadataStore.openPostgres(database.settings(), clock));
        b = new GcFixture(dir.resolve("data"), settings, AuditSink.NONE,
                clock -> JdbcMetadataStore.openPostgres(database.settings(), clock));
        a.pushImage("team/app", "v1", List.of(GcFixture.bytes("layer", 2000)));
        backupsA = new Backups(a.metadata, a.blobs, auditA, a.clock, new JobLeases(a.metadata, "replica-a", a.clock));
        backupsB = new Backups(b.metadata, b.blobs, auditB, b.clock, new JobLeases(b.metadata, "replica-b", b.clock));
        to = dir.resolve("backups").toString();
    }

    @AfterEach
    void close() throws Exception {
        backupsA.close();
        backupsB.close();
        a.close();
        b.close();
    }

    /** Both replicas' clocks move together. */
    private void advance(Duration duration) {
        a.clock.advance(duration);
        b.clock.advance(duration);
    }

    @Test
    void aBackupOnAnotherReplicaIsRefusedWhileOneRunsAndNamesItsHolder() throws Exception {
        CompletableFuture<AuditRecord> gate = new CompletableFuture<>();
        auditA.hold = gate;
        Backups.Started running = backupsA.start(to, "alice");

        RegistryException busy = assertThrows(RegistryException.class, () -> backupsB.start(to, "bob"));
        assertEquals(ErrorCode.BACKUP_RUNNING, busy.code());
        Map<?, ?> detail = (Map<?, ?>) busy.detail();
        assertEquals("replica-a", detail.get("holder"));
        assertEquals(running.report().id(), detail.get("id"));
        assertEquals(a.clock.instant().plus(JobLeases.DEFAULT_TTL).toString(), detail.get("leaseExpiresAt"));
        assertTrue(busy.getMessage().contains("replica-a"), busy.getMessage());

        gate.complete(null);
        assertEquals(BackupReport.COMPLETED, running.done().get(30, TimeUnit.SECONDS).outcome());
        BackupReport next = backupsB.start(to, "bob").done().get(30, TimeUnit.SECONDS);
        assertEquals(BackupReport.COMPLETED, next.outcome());
        assertTrue(next.unchanged(), "B continues A's backup");
    }

    @Test
    void aLeaseWhoseHolderDiedIsTakenOverOnceItExpires() throws Exception {
        Instant now = a.clock.instant();
        assertTrue(a.metadata.acquireJobLease(Backups.LEASE, "replica-dead", "backup-x", now, now.plus(JobLeases.DEFAULT_TTL)));
        RegistryException busy = assertThrows(RegistryException.class, () -> backupsB.start(to, "bob"));
        assertEquals("replica-dead", ((Map<?, ?>) busy.detail()).get("holder"));

        advance(JobLeases.DEFAULT_TTL.plusSeconds(1));
        BackupReport report = backupsB.start(to, "bob").done().get(30, TimeUnit.SECONDS);
        assertEquals(BackupReport.COMPLETED, report.outcome());
        assertEquals(2, report.blobs().written());
    }

    @Test
    void aRunWhoseLeaseWasTakenOverStopsAtItsNextItem() throws Exception {
        CompletableFuture<AuditRecord> gateA = new CompletableFuture<>();
        auditA.hold = gateA;
        Backups.Started stalled = backupsA.start(to, "alice");
        advance(JobLeases.DEFAULT_TTL.plusSeconds(1)); // A stalls past its lease without renewing it
        CompletableFuture<AuditRecord> gateB = new CompletableFuture<>();
        auditB.hold = gateB;
        Backups.Started takenOver = backupsB.start(to, "bob");

        gateA.complete(null);
        BackupReport failed = stalled.done().get(30, TimeUnit.SECONDS);
        assertEquals(BackupReport.FAILED, failed.outcome());
        assertEquals("the backup lease was taken by another replica", failed.error());
        assertEquals(0, failed.blobs().written() + failed.manifests().written(), "A wrote nothing");
        assertEquals("replica-b", a.metadata.jobLease(Backups.LEASE).orElseThrow().holder(), "A's end left B's lease");

        gateB.complete(null);
        BackupReport report = takenOver.done().get(30, TimeUnit.SECONDS);
        assertEquals(BackupReport.COMPLETED, report.outcome());
        assertEquals(2, report.blobs().written());
    }

    @Test
    void aScheduledBackupSkipsWhenAnyReplicaBackedUpWithinTheInterval() throws Exception {
        assertTrue(backupsA.startIfDue(to, HOUR).orElseThrow().done().get(30, TimeUnit.SECONDS).outcome()
                .equals(BackupReport.COMPLETED), "never backed up: due");
        advance(Duration.ofMinutes(30));
        assertTrue(backupsB.startIfDue(to, HOUR).isEmpty(), "A backed up half an hour ago");
        assertTrue(backupsA.startIfDue(to, HOUR).isEmpty());

        advance(Duration.ofMinutes(30));
        Backups.Started scheduled = backupsB.startIfDue(to, HOUR).orElseThrow();
        assertEquals(Backups.SCHEDULER, scheduled.report().actor());
        assertEquals(BackupReport.COMPLETED, scheduled.done().get(30, TimeUnit.SECONDS).outcome());
        assertTrue(backupsA.startIfDue(to, HOUR).isEmpty(), "B's run counts for A too");
    }
}
