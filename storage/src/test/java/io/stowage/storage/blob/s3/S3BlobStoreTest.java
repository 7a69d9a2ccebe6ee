package io.stowage.storage.blob.s3;

import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.blob.BlobStoreContractTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The blob store contract suite against {@link S3BlobStore} over a real S3 API server on loopback
 * (S3Proxy). Each test gets its own key prefix, derived from its temporary directory, so a store
 * reopened over the same directory finds what the first one left.
 */
class S3BlobStoreTest extends BlobStoreContractTest {

    private static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected BlobStore newStore(Path dir) throws IOException {
        return new S3BlobStore(server.settings(prefixFor(dir), dir.resolve("spool")), Clock.systemUTC());
    }

    static String prefixFor(Path dir) {
        return "t/" + dir.getFileName() + "/";
    }
}
