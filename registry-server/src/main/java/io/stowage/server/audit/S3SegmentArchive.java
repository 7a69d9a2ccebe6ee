package io.stowage.server.audit;

import io.stowage.audit.ship.SegmentArchive;
import io.stowage.storage.blob.s3.S3Clients;
import io.stowage.storage.blob.s3.S3Settings;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * An S3 bucket with Object Lock as the archive of shipped audit segments: every object is put
 * with {@code x-amz-object-lock-mode: COMPLIANCE} and a retain-until date (in compliance mode not
 * even the account's root user can delete or overwrite it before then) and with
 * {@code Content-MD5}, which S3 requires for locked objects and uses to reject a damaged body.
 * The client is the blob store's ({@link S3Clients}). Thread-safe.
 */
public final class S3SegmentArchive implements SegmentArchive, AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(S3SegmentArchive.class);
    private final S3Client client;
    private final String bucket;
    private final String prefix;
    private final String description;

    /**
     * @param prefix empty or ending in {@code /}
     */
    public S3SegmentArchive(S3Client client, String bucket, String prefix, String description) {
        this.client = client;
        this.bucket = bucket;
        this.prefix = prefix;
        this.description = description;
    }

    /**
     * Connects and checks that the bucket exists; the archive never creates one (its lock settings
     * are the operator's). A bucket S3 says is not there is a mistake to fix before starting; an S3
     * that does not answer now is an outage like any later one, which the shipper waits out, so
     * the registry starts.
     */
    public static S3SegmentArchive open(S3Settings settings, String prefix) throws IOException {
        S3Client client = S3Clients.client(settings);
        String where = "s3://" + settings.bucket() + "/" + prefix
                + (settings.endpoint() == null ? "" : " at " + settings.endpoint());
        try {
            client.headBucket(b -> b.bucket(settings.bucket()));
        } catch (NoSuchBucketException e) {
            client.close();
            throw new IOException("the audit shipping bucket " + settings.bucket() + " does not exist (" + where
                    + "); create it with Object Lock enabled, or fix audit.ship.bucket");
        } catch (SdkException e) {
            log.warn("audit shipping bucket not reachable at start; shipping waits for it archive={} reason={}", where,
                    e.getMessage());
        }
        return new S3SegmentArchive(client, settings.bucket(), prefix, where);
    }

    @Override
    public void put(String key, Path file, Instant retainUntil) throws IOException {
        String md5 = md5(file);
        try {
            client.putObject(b -> b.bucket(bucket).key(prefix + key)
                            .objectLockMode(ObjectLockMode.COMPLIANCE)
                            .objectLockRetainUntilDate(retainUntil)
                            .contentMD5(md5)
                            .contentType(key.endsWith(".pem") ? "application/x-pem-file" : "application/x-ndjson"),
                    RequestBody.fromFile(file));
        } catch (SdkException e) {
            throw new IOException("cannot ship " + key + " to " + description + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> list() throws IOException {
        List<String> keys = new ArrayList<>();
        try {
            for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
                keys.add(object.key().substring(prefix.length()));
            }
        } catch (SdkException e) {
            throw new IOException("cannot list " + description + ": " + e.getMessage(), e);
        }
        return keys;
    }

    @Override
    public void get(String key, Path target) throws IOException {
        Files.deleteIfExists(target);
        try {
            client.getObject(b -> b.bucket(bucket).key(prefix + key), ResponseTransformer.toFile(target));
        } catch (SdkException e) {
            throw new IOException("cannot fetch " + key + " from " + description + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        client.close();
    }

    private static String md5(Path file) throws IOException {
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md5)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return Base64.getEncoder().encodeToString(md5.digest());
    }
}
