package io.stowage.storage.registry;

import io.stowage.storage.blob.DigestLocks;
import io.stowage.storage.blob.FilesystemBlobStore;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.JdbcMetadataStore;
import io.stowage.storage.meta.UploadSession;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.testing.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RegistryService over the real filesystem and SQLite stores, with a clock the test moves. */
class RegistryServiceTest {
    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private FilesystemBlobStore blobs;
    private JdbcMetadataStore metadata;
    private RegistryService registry;

    @BeforeEach
    void open() throws Exception {
        blobs = new FilesystemBlobStore(dir, clock);
        metadata = JdbcMetadataStore.openSqlite(dir.resolve("registry.db"), clock);
        registry = new RegistryService(blobs, metadata, DigestLocks.inProcess(), clock, 1024 * 1024);
    }

    @AfterEach
    void close() throws Exception {
        metadata.close();
        blobs.close();
    }

    @Test
    void abandonedUploadsArePurgedAfterTheirIdleTimeButActiveOnesStay() throws Exception {
        UploadSession abandoned = registry.startUpload("team/app");
        try (UploadWriter writer = registry.openUpload("team/app", abandoned.uploadId())) {
            writer.append(ByteBuffer.wrap(new byte[]{1, 2, 3}));
        }
        clock.advance(Duration.ofHours(2));
        UploadSession active = registry.startUpload("team/app");

        assertEquals(1, registry.purgeAbandonedUploads(clock.instant().minus(Duration.ofHours(1))));

        RegistryException gone = assertThrows(RegistryException.class,
                () -> registry.uploadStatus("team/app", abandoned.uploadId()));
        assertEquals(ErrorCode.BLOB_UPLOAD_UNKNOWN, gone.code());
        assertFalse(Files.exists(dir.resolve("uploads").resolve(abandoned.uploadId())));
        assertEquals(0, registry.uploadStatus("team/app", active.uploadId()).size());
    }

    @Test
    void uploadBytesWithoutASessionArePurgedToo() throws Exception {
        String orphan = blobs.startUpload().id();
        clock.advance(Duration.ofDays(2));
        assertEquals(1, registry.purgeAbandonedUploads(clock.instant().minus(Duration.ofDays(1))));
        assertTrue(blobs.resumeUpload(orphan).isEmpty());
    }

    @Test
    void aSessionIsWrittenByOneRequestAtATime() throws Exception {
        UploadSession session = registry.startUpload("team/app");
        try (UploadWriter first = registry.openUpload("team/app", session.uploadId())) {
            RegistryException busy = assertThrows(RegistryException.class,
                    () -> registry.openUpload("team/app", session.uploadId()));
            assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, busy.code());
            first.append(ByteBuffer.wrap(new byte[]{7}));
        }
        try (UploadWriter again = registry.openUpload("team/app", session.uploadId())) {
            assertEquals(1, again.size());
            assertEquals(Digest.sha256(new byte[]{7}), again.complete(Digest.sha256(new byte[]{7})).digest());
        }
        assertEquals(1, registry.statBlob("team/app", Digest.sha256(new byte[]{7})));
    }

    @Test
    void aBlobWhoseBytesWereQuarantinedIsUnknownToHeadAndGetAlike() throws Exception {
        byte[] content = {4, 5, 6};
        Digest digest = Digest.sha256(content);
        UploadSession session = registry.startUpload("team/app");
        try (UploadWriter writer = registry.openUpload("team/app", session.uploadId())) {
            writer.append(ByteBuffer.wrap(content));
            writer.complete(digest);
        }
        blobs.quarantine(digest, new io.stowage.storage.blob.BlobStore.QuarantineNote("test", null, clock.instant()));

        assertEquals(ErrorCode.BLOB_UNKNOWN,
                assertThrows(RegistryException.class, () -> registry.statBlob("team/app", digest)).code(),
                "HEAD must not promise what GET cannot serve: a client pushing again would skip the blob");
        assertEquals(ErrorCode.BLOB_UNKNOWN,
                assertThrows(RegistryException.class, () -> registry.openBlob("team/app", digest)).code());
    }

}
