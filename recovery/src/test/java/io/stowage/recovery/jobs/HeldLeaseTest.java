package io.stowage.recovery.jobs;

import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.JdbcMetadataStore;
import io.stowage.storage.testing.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A held lease stays held while it is renewed, is lost once taken over or expired, and is given back at the end. */
class HeldLeaseTest {
    private static final Duration TTL = JobLeases.DEFAULT_TTL;
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock(START);
    private JdbcMetadataStore metadata;

    @BeforeEach
    void open() {
        metadata = JdbcMetadataStore.openSqlite(dir.resolve("registry.db"), clock);
    }

    @AfterEach
    void close() {
        metadata.close();
    }

    @Test
    void renewalsKeepTheLeaseAndTheEndGivesItBack() {
        JobLeases leases = new JobLeases(metadata, "replica-a", clock);
        try (HeldLease lease = leases.take("backup", "run-1", ErrorCode.BACKUP_RUNNING)) {
            clock.advance(TTL.dividedBy(3));
            lease.renew();
            clock.advance(TTL.dividedBy(3).multipliedBy(2).plusSeconds(1));
            assertFalse(lease.lost(), "renewed a third of the way: held past the first expiry");
            lease.ensureHeld();
            assertEquals("replica-a", metadata.jobLease("backup").orElseThrow().holder());
        }
        assertNull(metadata.jobLease("backup").orElseThrow().holder(), "given back");
        assertEquals(START, metadata.jobLease("backup").orElseThrow().lastStartedAt(), "the start is kept");
    }

    @Test
    void aLeaseTakenOverIsLostAndItsEndLeavesTheNewHolders() {
        HeldLease stalled = new JobLeases(metadata, "replica-a", clock).take("scrub", "run-1", ErrorCode.SCRUB_RUNNING);
        clock.advance(TTL.plusSeconds(1));
        assertTrue(stalled.lost(), "expired without a renewal");
        try (HeldLease takenOver = new JobLeases(metadata, "replica-b", clock).take("scrub", "run-2", ErrorCode.SCRUB_RUNNING)) {
            Instant takenUntil = metadata.jobLease("scrub").orElseThrow().expiresAt();
            stalled.renew();
            assertEquals(takenUntil, metadata.jobLease("scrub").orElseThrow().expiresAt(), "A's renewal changed nothing");
            assertTrue(stalled.lost());
            LeaseLostException lost = assertThrows(LeaseLostException.class, stalled::ensureHeld);
            assertEquals("the scrub lease was taken by another replica", lost.getMessage());
            stalled.close();
            assertEquals("replica-b", metadata.jobLease("scrub").orElseThrow().holder());
            assertFalse(takenOver.lost());
        }
    }

    @Test
    void aSecondRunIsRefusedWithTheHolder() {
        JobLeases leases = new JobLeases(metadata, "replica-a", clock);
        try (HeldLease ignored = leases.take("backup", "run-1", ErrorCode.BACKUP_RUNNING)) {
            RegistryException busy = assertThrows(RegistryException.class,
                    () -> new JobLeases(metadata, "replica-b", clock).take("backup", "run-2", ErrorCode.BACKUP_RUNNING));
            assertEquals(ErrorCode.BACKUP_RUNNING, busy.code());
            assertEquals("a backup is running on replica replica-a", busy.getMessage());
        }
    }
}
