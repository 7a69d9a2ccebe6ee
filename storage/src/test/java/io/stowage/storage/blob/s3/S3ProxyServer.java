package io.stowage.storage.blob.s3;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real S3 API server on loopback for tests: S3Proxy over jclouds' in-memory blob store, with
 * SigV4 authentication on, on a free port. One bucket is created at start.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "stowage-test-access";
    public static final String SECRET_KEY = "stowage-test-secret-key";
    public static final String BUCKET = "stowage-test";

    private final BlobStoreContext context;
    private final S3Proxy proxy;

    private S3ProxyServer(BlobStoreContext context, S3Proxy proxy) {
        this.context = context;
        this.proxy = proxy;
    }

    public static S3ProxyServer start() throws Exception {
        BlobStoreContext context = ContextBuilder.newBuilder("transient")
                .credentials("identity", "credential")
                .build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        S3ProxyServer server = new S3ProxyServer(context, proxy);
        try (S3Client client = S3Clients.client(server.settings(""))) {
            client.createBucket(b -> b.bucket(BUCKET));
        }
        return server;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** Path-style, static credentials, 5 MiB parts (the minimum, so tests reach several parts quickly). */
    public S3Settings settings(String prefix) {
        return settings(prefix, false);
    }

    public S3Settings settings(String prefix, boolean redirect) {
        return new S3Settings(BUCKET, prefix, endpoint(), "us-east-1", true, ACCESS_KEY, SECRET_KEY,
                S3Settings.MIN_PART_SIZE, redirect, Duration.ofMinutes(5), null);
    }

    public S3Settings settings(String prefix, Path spoolDir) {
        return new S3Settings(BUCKET, prefix, endpoint(), "us-east-1", true, ACCESS_KEY, SECRET_KEY,
                S3Settings.MIN_PART_SIZE, false, Duration.ofMinutes(5), spoolDir);
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } finally {
            context.close();
        }
    }
}
