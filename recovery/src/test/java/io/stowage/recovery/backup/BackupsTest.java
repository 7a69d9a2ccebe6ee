package io.stowage.recovery.backup;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditRecord;
import io.stowage.audit.AuditUnavailableException;
import io.stowage.gc.GcFixture;
import io.stowage.gc.GcSettings;
import io.stowage.recovery.jobs.JobLeases;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs in the background, one at a time, each audited; refused when the audit log cannot record it. */
class BackupsTest {
    @TempDir
    Path dir;
    private GcFixture f;
    private final GatedSink audit = new GatedSink();
    private Backups backups;

    @BeforeEach
    void open() throws Exception {
        f = new GcFixture(dir.resolve("data"), new GcSettings(Duration.ofHours(24), Duration.ofDays(30), 50));
        f.pushImage("team/app", "v1", List.of(GcFixture.bytes("layer", 2000)));
        backups = new Backups(f.metadata, f.blobs, audit, f.clock, new JobLeases(f.metadata, "replica-a", f.clock));
    }

    @AfterEach
    void close() throws Exception {
        backups.close();
        f.close();
    }

    @Test
    void oneRunAtATimeEachAuditedWithItsCounts() throws Exception {
        CompletableFuture<AuditRecord> gate = new CompletableFuture<>();
        audit.hold = gate; // the run waits for its start record to be durable
        Backups.Started started = backups.start(dir.resolve("b").toString(), "alice");
        assertNull(started.report().finishedAt());
        assertEquals(started.report().id(), backups.current().orElseThrow().id());

        RegistryException running = assertThrows(RegistryException.class,
                () -> backups.start(dir.resolve("b").toString(), Backups.SCHEDULER));
        assertEquals(ErrorCode.BACKUP_RUNNING, running.code());
        assertEquals(409, running.httpStatus());

        gate.complete(null);
        BackupReport report = started.done().get(30, TimeUnit.SECONDS);
        assertEquals(BackupReport.COMPLETED, report.outcome());
        assertTrue(backups.current().isEmpty());
        assertEquals(List.of(Backups.RUN_START, Backups.RUN_END), audit.entries.stream().map(AuditEntry::action).toList());
        AuditEntry end = audit.entries.get(1);
        assertEquals("alice", end.actor());
        assertEquals("completed", end.detail().get("outcome"));
        assertEquals(2L, end.detail().get("blobsWritten"));
        assertEquals(report.id(), end.detail().get("runId"));

        BackupReport second = backups.start(dir.resolve("b").toString(), Backups.SCHEDULER).done().get(30, TimeUnit.SECONDS);
        assertTrue(second.unchanged());
        assertEquals(List.of(second.id(), report.id()), backups.runs().stream().map(BackupReport::id).toList());
        assertEquals(Backups.SCHEDULER, audit.entries.get(3).actor());
        assertEquals(report, backups.run(report.id()).orElseThrow());
    }

    @Test
    void noBackupStartsWhenTheAuditLogCannotRecordIt() {
        audit.writable = false;
        assertThrows(AuditUnavailableException.class, () -> backups.start(dir.resolve("b").toString(), "alice"));
        assertFalse(Files.exists(dir.resolve("b")), "nothing written");
        assertTrue(backups.runs().isEmpty());
    }

    @Test
    void aRunWhoseStartRecordFailsWritesNothing() throws Exception {
        audit.hold = CompletableFuture.failedFuture(new AuditUnavailableException("disk full"));
        BackupReport report = backups.start(dir.resolve("b").toString(), "alice").done().get(30, TimeUnit.SECONDS);
        assertEquals(BackupReport.FAILED, report.outcome());
        assertFalse(Files.exists(dir.resolve("b")), "nothing written");
    }
}
