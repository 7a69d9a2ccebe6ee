package io.stowage.storage.registry;

import io.stowage.storage.blob.DigestLocks;
import io.stowage.storage.blob.FilesystemBlobStore;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.JdbcMetadataStore;
import io.stowage.storage.meta.PostgresServer;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.testing.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One upload session served by two replicas (two metadata stores on one PostgreSQL database, two
 * blob stores on one directory), each with {@link UploadLocks#leased}: the session has one writer
 * across both, as a client retrying a {@code PATCH} on another replica would otherwise interleave
 * chunks.
 */
class PostgresUploadLeaseTest {
    private static final String REPOSITORY = "team/app";

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private JdbcMetadataStore metadataA;
    private JdbcMetadataStore metadataB;
    private FilesystemBlobStore blobsA;
    private FilesystemBlobStore blobsB;
    private RegistryService a;
    private RegistryService b;

    @BeforeEach
    void open() throws Exception {
        PostgresServer.Database database = PostgresServer.shared().createDatabase();
        metadataA = JdbcMetadataStore.openPostgres(database.settings(), clock);
        metadataB = JdbcMetadataStore.openPostgres(database.settings(), clock);
        blobsA = new FilesystemBlobStore(dir, clock);
        blobsB = new FilesystemBlobStore(dir, clock);
        a = new RegistryService(blobsA, metadataA, DigestLocks.inProcess(), UploadLocks.leased(metadataA, clock), clock, 1024);
        b = new RegistryService(blobsB, metadataB, DigestLocks.inProcess(), UploadLocks.leased(metadataB, clock), clock, 1024);
    }

    @AfterEach
    void close() throws Exception {
        metadataA.close();
        metadataB.close();
        blobsA.close();
        blobsB.close();
    }

    @Test
    void aSessionOneReplicaIsWritingIsRefusedOnTheOtherUntilTheRequestEnds() throws Exception {
        String id = a.startUpload(REPOSITORY).uploadId();
        byte[] first = "first chunk ".getBytes(StandardCharsets.UTF_8);
        byte[] second = "second chunk".getBytes(StandardCharsets.UTF_8);
        try (UploadWriter writer = a.openUpload(REPOSITORY, id)) {
            writer.append(ByteBuffer.wrap(first));
            RegistryException busy = assertThrows(RegistryException.class, () -> b.openUpload(REPOSITORY, id));
            assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, busy.code());
            assertThrows(RegistryException.class, () -> b.uploadStatus(REPOSITORY, id), "a status request waits its turn too");
            writer.endChunk();
        }
        try (UploadWriter writer = b.openUpload(REPOSITORY, id)) {
            assertEquals(first.length, writer.size());
            writer.append(ByteBuffer.wrap(second));
            byte[] whole = (new String(first, StandardCharsets.UTF_8) + new String(second, StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8);
            assertEquals(Digest.sha256(whole), writer.complete(Digest.sha256(whole)).digest());
        }
        assertTrue(metadataA.findLinkedBlob(REPOSITORY, Digest.sha256(
                "first chunk second chunk".getBytes(StandardCharsets.UTF_8))).isPresent());
    }

    @Test
    void aLeaseLeftByADeadWriterExpiresAndTheStalledWriterCommitsNothing() throws Exception {
        String id = a.startUpload(REPOSITORY).uploadId();
        // Replica a takes the session, then stalls (or dies) without ending its request.
        UploadWriter stalled = a.openUpload(REPOSITORY, id);
        assertThrows(RegistryException.class, () -> b.openUpload(REPOSITORY, id));
        clock.advance(Duration.ofSeconds(60));
        assertThrows(RegistryException.class, () -> b.openUpload(REPOSITORY, id), "still inside a's lease");
        clock.advance(Duration.ofSeconds(61));

        byte[] content = "written by b after a's lease ended".getBytes(StandardCharsets.UTF_8);
        try (UploadWriter writer = b.openUpload(REPOSITORY, id)) {
            writer.append(ByteBuffer.wrap(content));
            writer.endChunk();
        }

        // Replica a wakes up: its next write finds the session taken, before a byte is written.
        RegistryException taken = assertThrows(RegistryException.class,
                () -> stalled.append(ByteBuffer.wrap("late".getBytes(StandardCharsets.UTF_8))));
        assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, taken.code());
        assertThrows(RegistryException.class, stalled::endChunk, "and it cannot commit the chunk either");
        stalled.discardAppended();
        stalled.close();

        try (UploadWriter writer = b.openUpload(REPOSITORY, id)) {
            assertEquals(content.length, writer.size(), "b's chunk is whole, nothing of a's is in it");
            assertEquals(Digest.sha256(content), writer.complete(Digest.sha256(content)).digest());
        }
    }

    @Test
    void aWriterThatKeepsWritingKeepsItsLease() throws Exception {
        String id = a.startUpload(REPOSITORY).uploadId();
        try (UploadWriter writer = a.openUpload(REPOSITORY, id)) {
            for (int i = 0; i < 6; i++) {
                clock.advance(Duration.ofSeconds(50)); // five minutes in all, longer than one lease
                writer.append(ByteBuffer.wrap(new byte[] {(byte) i}));
                assertThrows(RegistryException.class, () -> b.openUpload(REPOSITORY, id));
            }
            writer.endChunk();
        }
        try (UploadWriter writer = b.openUpload(REPOSITORY, id)) {
            assertEquals(6, writer.size());
        }
    }
}
