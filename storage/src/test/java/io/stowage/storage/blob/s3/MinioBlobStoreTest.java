package io.stowage.storage.blob.s3;

import io.stowage.storage.testing.ContainerImages;
import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.blob.BlobStoreContractTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.containers.MinIOContainer;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The blob store contract suite against MinIO in a container, where a Docker engine runs; skipped
 * (with the reason) where none does. S3Proxy covers the same suite everywhere ({@link S3BlobStoreTest}).
 */
class MinioBlobStoreTest extends BlobStoreContractTest {

    private static final String IMAGE = "minio/minio:RELEASE.2025-04-22T22-12-26Z";
    private static MinIOContainer minio;
    private static S3Settings base;
    /** Why the suite cannot run here; each test is reported as skipped with it. */
    private static String unavailable;

    @BeforeAll
    static void startMinio() {
        unavailable = ContainerImages.unavailable(IMAGE);
        if (unavailable != null) {
            unavailable = unavailable + ": MinIO contract suite skipped (S3BlobStoreTest runs it against S3Proxy)";
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
        base = new S3Settings("stowage-test", "", URI.create(minio.getS3URL()), "us-east-1", true,
                minio.getUserName(), minio.getPassword(), S3Settings.MIN_PART_SIZE, false, Duration.ofMinutes(5), null);
        try (S3Client client = S3Clients.client(base)) {
            client.createBucket(b -> b.bucket(base.bucket()));
        }
    }

    @AfterAll
    static void stopMinio() {
        if (minio != null) {
            minio.stop();
        }
    }

    @Override
    protected BlobStore newStore(Path dir) throws IOException {
        Assumptions.assumeTrue(unavailable == null, unavailable);
        S3Settings settings = new S3Settings(base.bucket(), S3BlobStoreTest.prefixFor(dir), base.endpoint(),
                base.region(), true, base.accessKey(), base.secretKey(), base.partSize(), false,
                base.redirectExpiry(), dir.resolve("spool"));
        return new S3BlobStore(settings, Clock.systemUTC());
    }
}
