package io.stowage.server;

import io.stowage.server.config.RegistryConfig;
import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.blob.FilesystemBlobStore;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Opens the blob store that {@code storage.backend} names. The S3 store is built in a class of its
 * own ({@link S3Backend}), which the JVM loads only when that branch runs: a registry on the
 * filesystem default never loads the AWS SDK, so its start-up stays as fast as before.
 */
final class BlobStores {

    private BlobStores() {
    }

    static BlobStore open(RegistryConfig.Storage storage, Path dataDir, Clock clock) throws IOException {
        if ("s3".equals(storage.backend)) {
            return S3Backend.open(storage.s3, dataDir, clock);
        }
        return new FilesystemBlobStore(dataDir, clock);
    }

    /** Touches the AWS SDK; loaded only for {@code storage.backend: s3}. */
    private static final class S3Backend {
        static BlobStore open(RegistryConfig.S3 s3, Path dataDir, Clock clock) throws IOException {
            return new io.stowage.storage.blob.s3.S3BlobStore(s3.settings(dataDir), clock);
        }
    }
}
