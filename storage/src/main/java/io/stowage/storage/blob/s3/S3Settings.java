package io.stowage.storage.blob.s3;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how the S3 blob store keeps its objects. Immutable.
 *
 * @param bucket         the bucket; it must exist (the store checks at open, it never creates one)
 * @param prefix         prepended to every key, so several registries can share a bucket; empty or
 *                       ending in {@code /} (one is added when missing)
 * @param endpoint       the S3 API endpoint for MinIO, Ceph RGW and others; null for AWS's own
 * @param region         the signing region ({@code us-east-1} suits most S3-compatible servers)
 * @param pathStyle      {@code http://host/bucket/key} instead of {@code http://bucket.host/key};
 *                       most self-hosted servers need it
 * @param accessKey      static credentials; null (with {@code secretKey}) for the SDK's default chain
 *                       (environment, profile, web identity, container and instance roles)
 * @param secretKey      see {@code accessKey}
 * @param partSize       bytes per multipart part while uploading, at least 5 MiB (S3's minimum); also
 *                       the most an upload stages in its local spool file
 * @param redirect       answer blob {@code GET}s with a {@code 307} to a presigned URL instead of
 *                       streaming the bytes through the registry
 * @param redirectExpiry how long a presigned URL stays valid
 * @param spoolDir       local directory for the spool files of uploads in progress; null for the
 *                       JVM's temporary directory
 */
public record S3Settings(String bucket, String prefix, URI endpoint, String region, boolean pathStyle,
                         String accessKey, String secretKey, long partSize, boolean redirect,
                         Duration redirectExpiry, Path spoolDir) {

    public static final long MIN_PART_SIZE = 5L << 20;
    /** S3's largest part and largest single-request object. */
    public static final long MAX_PART_SIZE = 5L << 30;
    public static final long DEFAULT_PART_SIZE = 16L << 20;
    public static final Duration DEFAULT_REDIRECT_EXPIRY = Duration.ofMinutes(20);

    public S3Settings {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("storage.s3.bucket is required");
        }
        prefix = prefix == null || prefix.isEmpty() || prefix.endsWith("/") ? Objects.requireNonNullElse(prefix, "")
                : prefix + "/";
        if (prefix.startsWith("/")) {
            throw new IllegalArgumentException("storage.s3.prefix must not start with '/': " + prefix);
        }
        region = region == null || region.isBlank() ? "us-east-1" : region;
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("storage.s3.accessKey and storage.s3.secretKey go together");
        }
        if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
            throw new IllegalArgumentException("storage.s3.partSize must be between " + MIN_PART_SIZE + " and "
                    + MAX_PART_SIZE + ": " + partSize);
        }
        redirectExpiry = redirectExpiry == null ? DEFAULT_REDIRECT_EXPIRY : redirectExpiry;
        if (redirectExpiry.isNegative() || redirectExpiry.isZero() || redirectExpiry.compareTo(Duration.ofDays(7)) > 0) {
            // Seven days is the longest a SigV4 presigned URL may live.
            throw new IllegalArgumentException("storage.s3.redirectExpiry must be between PT1S and P7D: " + redirectExpiry);
        }
    }

    /** Settings with the defaults for everything but the bucket. */
    public static S3Settings of(String bucket) {
        return new S3Settings(bucket, "", null, null, false, null, null, DEFAULT_PART_SIZE, false, null, null);
    }

    public boolean staticCredentials() {
        return accessKey != null;
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "S3Settings[bucket=" + bucket + ", prefix=" + prefix + ", endpoint=" + endpoint + ", region=" + region
                + ", pathStyle=" + pathStyle + ", credentials=" + (staticCredentials() ? "static" : "default-chain")
                + ", partSize=" + partSize + ", redirect=" + redirect + ", redirectExpiry=" + redirectExpiry + "]";
    }
}
