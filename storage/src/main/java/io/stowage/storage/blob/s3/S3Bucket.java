package io.stowage.storage.blob.s3;

import io.stowage.storage.error.BackendUnavailableException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The S3 operations the store uses, on one bucket, in the store's terms: a missing object is an
 * empty {@link Optional} or {@code false}, every other failure an {@link IOException} naming the
 * operation and key (the SDK's exceptions are unchecked, and the registry's callers handle
 * {@code IOException}); a server that is down or overloaded is a {@link BackendUnavailableException}.
 * Thread-safe, like the SDK client it wraps.
 */
final class S3Bucket {

    private final S3Client client;
    private final String bucket;

    S3Bucket(S3Client client, String bucket) {
        this.client = client;
        this.bucket = bucket;
    }

    String name() {
        return bucket;
    }

    void requireReachable() throws IOException {
        call("HeadBucket", "", () -> client.headBucket(b -> b.bucket(bucket)));
    }

    Optional<HeadObjectResponse> head(String key) throws IOException {
        try {
            return Optional.of(call("HeadObject", key, () -> client.headObject(b -> b.bucket(bucket).key(key))));
        } catch (IOException e) {
            if (isNotFound(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    Optional<byte[]> getBytes(String key) throws IOException {
        try {
            return Optional.of(call("GetObject", key,
                    () -> client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray()));
        } catch (IOException e) {
            if (isNotFound(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Streams an object, or {@code length} bytes of it from {@code offset}; the caller closes it. */
    ResponseInputStream<GetObjectResponse> get(String key, long offset, long length) throws IOException {
        String range = "bytes=" + offset + "-" + (offset + length - 1);
        return call("GetObject", key, () -> client.getObject(b -> b.bucket(bucket).key(key).range(range),
                ResponseTransformer.toInputStream()));
    }

    ResponseInputStream<GetObjectResponse> get(String key) throws IOException {
        return call("GetObject", key, () -> client.getObject(b -> b.bucket(bucket).key(key),
                ResponseTransformer.toInputStream()));
    }

    void put(String key, byte[] content) throws IOException {
        call("PutObject", key, () -> client.putObject(b -> b.bucket(bucket).key(key).contentLength((long) content.length),
                RequestBody.fromBytes(content)));
    }

    void put(String key, Path file, long length, String contentMd5) throws IOException {
        call("PutObject", key, () -> client.putObject(
                b -> b.bucket(bucket).key(key).contentLength(length).contentMD5(contentMd5),
                RequestBody.fromFile(file)));
    }

    void delete(String key) throws IOException {
        call("DeleteObject", key, () -> client.deleteObject(b -> b.bucket(bucket).key(key)));
    }

    /** Visits every object under {@code prefix}, a page at a time. */
    void list(String prefix, Consumer<S3Object> visitor) throws IOException {
        call("ListObjectsV2", prefix, () -> {
            for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
                visitor.accept(object);
            }
            return null;
        });
    }

    String startMultipart(String key) throws IOException {
        return call("CreateMultipartUpload", key,
                () -> client.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId());
    }

    /** @return the part's ETag */
    String uploadPart(String key, String multipartId, int number, Path file, long length, String contentMd5)
            throws IOException {
        return call("UploadPart", key, () -> client.uploadPart(
                b -> b.bucket(bucket).key(key).uploadId(multipartId).partNumber(number)
                        .contentLength(length).contentMD5(contentMd5),
                RequestBody.fromFile(file)).eTag());
    }

    /** @return the part's ETag */
    String copyPart(String sourceKey, String key, String multipartId, int number, long first, long last)
            throws IOException {
        return call("UploadPartCopy", key, () -> client.uploadPartCopy(
                b -> b.sourceBucket(bucket).sourceKey(sourceKey).destinationBucket(bucket).destinationKey(key)
                        .uploadId(multipartId).partNumber(number).copySourceRange("bytes=" + first + "-" + last))
                .copyPartResult().eTag());
    }

    void copy(String sourceKey, String key) throws IOException {
        call("CopyObject", key, () -> client.copyObject(
                b -> b.sourceBucket(bucket).sourceKey(sourceKey).destinationBucket(bucket).destinationKey(key)));
    }

    void completeMultipart(String key, String multipartId, List<CompletedPart> parts) throws IOException {
        call("CompleteMultipartUpload", key, () -> client.completeMultipartUpload(
                b -> b.bucket(bucket).key(key).uploadId(multipartId)
                        .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())));
    }

    /** Idempotent: an upload that is already gone is not an error. */
    void abortMultipart(String key, String multipartId) throws IOException {
        try {
            call("AbortMultipartUpload", key,
                    () -> client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(multipartId)));
        } catch (IOException e) {
            if (!isNotFound(e)) {
                throw e;
            }
        }
    }

    /** The multipart uploads in progress under {@code prefix} (first page: a session has one or two). */
    List<MultipartUpload> multipartUploads(String prefix) throws IOException {
        return call("ListMultipartUploads", prefix,
                () -> client.listMultipartUploads(b -> b.bucket(bucket).prefix(prefix)).uploads());
    }

    static boolean isNotFound(IOException e) {
        Throwable cause = e.getCause();
        return cause instanceof NoSuchKeyException || cause instanceof NoSuchUploadException
                || cause instanceof S3Exception s3 && s3.statusCode() == 404;
    }

    private <T> T call(String operation, String key, SdkCall<T> call) throws IOException {
        try {
            return call.run();
        } catch (SdkException e) {
            String what = "S3 " + operation + " failed bucket=" + bucket + " key=" + key + ": " + e.getMessage();
            if (S3Outages.isOutage(e)) {
                throw new BackendUnavailableException(BackendUnavailableException.OBJECT_STORE, what, e);
            }
            throw new IOException(what, e);
        }
    }

    @FunctionalInterface
    private interface SdkCall<T> {
        T run();
    }
}
