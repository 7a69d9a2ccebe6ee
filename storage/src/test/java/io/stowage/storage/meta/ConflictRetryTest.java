package io.stowage.storage.meta;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConflictRetryTest {

    @Test
    void serializationFailuresAndDeadlocksAreConflictsWhereverTheyAreInTheChain() {
        assertTrue(ConflictRetry.isConflict(new SQLException("lost", "40001")));
        assertTrue(ConflictRetry.isConflict(new SQLException("deadlock", "40P01")));
        SQLException batch = new SQLException("batch failed", "XX000");
        batch.setNextException(new SQLException("lost", "40001"));
        assertTrue(ConflictRetry.isConflict(batch));
        assertTrue(ConflictRetry.isConflict(new SQLException("wrapped", "08000", new SQLException("lost", "40001"))));
        assertFalse(ConflictRetry.isConflict(new SQLException("unique violation", "23505")));
        assertFalse(ConflictRetry.isConflict(new SQLException("connection refused", "08001")));
    }

    @Test
    void aConflictIsRetriedUntilTheLastAttempt() {
        ConflictRetry retry = new ConflictRetry(3, 2, 100);
        SQLException lost = new SQLException("lost", "40001");
        assertTrue(retry.shouldRetry(lost, 1));
        assertTrue(retry.shouldRetry(lost, 2));
        assertFalse(retry.shouldRetry(lost, 3));
        assertFalse(retry.shouldRetry(new SQLException("down", "08006"), 1), "a database that is down is not waited for");
    }

    @Test
    void theWaitIsRandomUnderABoundThatDoublesUpToItsCap() {
        ConflictRetry retry = new ConflictRetry(20, 2, 100);
        assertEquals(2, retry.boundMillis(1));
        assertEquals(4, retry.boundMillis(2));
        assertEquals(64, retry.boundMillis(6));
        assertEquals(100, retry.boundMillis(7));
        assertEquals(100, retry.boundMillis(19));
        boolean varied = false;
        long first = retry.backoffMillis(7);
        for (int i = 0; i < 200; i++) {
            long wait = retry.backoffMillis(7);
            assertTrue(wait >= 0 && wait <= 100, "wait " + wait);
            varied |= wait != first;
        }
        assertTrue(varied, "jittered, not fixed");
    }
}
