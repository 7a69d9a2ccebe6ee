package io.stowage.storage.blob.s3;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Builds the SDK client and presigner from {@link S3Settings}; public so that the audit log's
 * shipping to S3 connects exactly as the blob store does.
 *
 * <p>The blocking Apache HTTP client, not the SDK's Netty-based async one: the registry pins its own
 * Netty for the server, and the store's calls run on worker threads that may block anyway.
 * Checksums are computed only where an operation requires them: the SDK's newer default (CRC32 on
 * every upload, trailing checksums in aws-chunked bodies) is not understood by every S3-compatible
 * server; parts and objects carry {@code Content-MD5} instead, which all of them check.
 */
public final class S3Clients {

    /**
     * A download holds its connection until the client has all of its range, however slow the client
     * is; the SDK's default of 50 would let a few dozen slow pulls stall every upload.
     */
    static final int MAX_CONNECTIONS = 512;

    private S3Clients() {
    }

    public static S3Client client(S3Settings settings) {
        return builder(settings).build();
    }

    /** The client's builder, for a caller that adds to it (an interceptor in a test). */
    public static S3ClientBuilder builder(S3Settings settings) {
        var builder = S3Client.builder()
                .httpClientBuilder(Apache5HttpClient.builder().maxConnections(MAX_CONNECTIONS))
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials(settings))
                .forcePathStyle(settings.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        return builder;
    }

    static S3Presigner presigner(S3Settings settings) {
        var builder = S3Presigner.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials(settings))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build());
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        return builder.build();
    }

    private static AwsCredentialsProvider credentials(S3Settings settings) {
        if (settings.staticCredentials()) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
        }
        return DefaultCredentialsProvider.builder().build();
    }
}
