package io.stowage.server.s3;

import io.stowage.storage.testing.ContainerImages;
import io.stowage.server.audit.S3SegmentArchive;
import io.stowage.storage.blob.s3.S3Clients;
import io.stowage.storage.blob.s3.S3Settings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.MinIOContainer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The Object Lock S3Proxy cannot show: against MinIO in a container, a shipped segment is locked in
 * compliance mode until its retain-until date, and deleting that version is refused. Skipped, with
 * the reason, where no Docker engine runs.
 */
class AuditShippingMinioTest {
    private static final String IMAGE = "minio/minio:RELEASE.2025-04-22T22-12-26Z";
    private static final String BUCKET = "audit-worm";
    private static MinIOContainer minio;
    private static S3Settings settings;
    private static String unavailable;

    @TempDir
    Path work;

    @BeforeAll
    static void startMinio() {
        unavailable = ContainerImages.unavailable(IMAGE);
        if (unavailable != null) {
            unavailable = unavailable + ": Object Lock against MinIO skipped (AuditShippingTest checks the headers)";
            return;
        }
        try {
            minio = new MinIOContainer(IMAGE);
            minio.start();
        } catch (RuntimeException e) {
            unavailable = "MinIO image " + IMAGE + " could not be started: " + e.getMessage();
            minio = null;
            return;
        }
        ObjectLockHeaders.strip = false;
        settings = new S3Settings(BUCKET, "", URI.create(minio.getS3URL()), "us-east-1", true, minio.getUserName(),
                minio.getPassword(), S3Settings.DEFAULT_PART_SIZE, false, null, null);
        try (S3Client client = S3Clients.client(settings)) {
            client.createBucket(b -> b.bucket(BUCKET).objectLockEnabledForBucket(true));
        }
    }

    @AfterAll
    static void stopMinio() {
        ObjectLockHeaders.strip = true;
        if (minio != null) {
            minio.stop();
        }
    }

    @Test
    void aShippedSegmentIsLockedInComplianceModeAndCannotBeDeleted() throws Exception {
        Assumptions.assumeTrue(unavailable == null, unavailable);
        Path segment = Files.writeString(work.resolve("segment-000001.log"), "{\"seq\":1}\n");
        Instant retainUntil = Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
        try (S3SegmentArchive archive = S3SegmentArchive.open(settings, "prod/");
             S3Client client = S3Clients.client(settings)) {
            archive.put("r1/segment-000001.log", segment, retainUntil);
            var retention = client.getObjectRetention(b -> b.bucket(BUCKET).key("prod/r1/segment-000001.log"))
                    .retention();
            assertEquals(ObjectLockRetentionMode.COMPLIANCE, retention.mode());
            assertEquals(retainUntil, retention.retainUntilDate());
            String version = client.headObject(b -> b.bucket(BUCKET).key("prod/r1/segment-000001.log")).versionId();
            assertThrows(S3Exception.class, () -> client.deleteObject(b -> b.bucket(BUCKET)
                    .key("prod/r1/segment-000001.log").versionId(version)));
        }
    }
}
