package io.stowage.server.s3;

import io.stowage.server.config.RegistryConfig;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An S3 API server (S3Proxy over jclouds' in-memory store) on a free loopback port for the test
 * class, with one bucket. Register it before the {@code TestRegistry} that uses it: extensions in
 * static fields start in declaration order.
 */
final class S3ProxyExtension implements BeforeAllCallback, AfterAllCallback {

    static final String ACCESS_KEY = "server-test-access";
    static final String SECRET_KEY = "server-test-secret-key";
    static final String BUCKET = "registry";

    private BlobStoreContext context;
    private S3Proxy proxy;

    @Override
    public void beforeAll(ExtensionContext extensionContext) throws Exception {
        context = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
                .build(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, BUCKET);
        proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Override
    public void afterAll(ExtensionContext extensionContext) throws Exception {
        try {
            if (proxy != null) {
                proxy.stop();
            }
        } finally {
            if (context != null) {
                context.close();
            }
        }
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** Points a registry's blob store at this server, under {@code prefix}. */
    void configure(RegistryConfig config, String prefix, boolean redirect) {
        config.storage.backend = "s3";
        config.storage.s3.bucket = BUCKET;
        config.storage.s3.prefix = prefix;
        config.storage.s3.endpoint = endpoint().toString();
        config.storage.s3.pathStyle = true;
        config.storage.s3.accessKey = ACCESS_KEY;
        config.storage.s3.secretKey = SECRET_KEY;
        config.storage.s3.partSize = 5L * 1024 * 1024;
        config.storage.s3.redirect = redirect;
    }

    /** Keys stored under {@code prefix}, straight from the jclouds store behind the proxy. */
    List<String> keys(String prefix) {
        List<String> keys = new ArrayList<>();
        for (var meta : context.getBlobStore().list(BUCKET,
                org.jclouds.blobstore.options.ListContainerOptions.Builder.prefix(prefix).recursive())) {
            keys.add(meta.getName());
        }
        return keys;
    }
}
