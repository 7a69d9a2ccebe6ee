package io.stowage.server.bench;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * An S3 API server for {@code bench/scaleout.sh} (run from the test classpath, never as a test):
 * S3Proxy over jclouds' filesystem store, so objects are files on the same disk as everything else,
 * with SigV4 authentication, on {@code 127.0.0.1:PORT}, one bucket created. Runs until killed.
 *
 * <pre>S3ServerMain PORT DIR BUCKET ACCESS_KEY SECRET_KEY</pre>
 */
public final class S3ServerMain {
    private S3ServerMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        Files.createDirectories(dir);
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", dir.toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem").overrides(properties)
                .credentials("identity", "credential").build(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, args[2]);
        S3Proxy proxy = S3Proxy.builder().blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, args[3], args[4]).build();
        proxy.start();
        System.out.println("S3 server on 127.0.0.1:" + port + ", bucket " + args[2] + " in " + dir);
        new CountDownLatch(1).await();
    }
}
