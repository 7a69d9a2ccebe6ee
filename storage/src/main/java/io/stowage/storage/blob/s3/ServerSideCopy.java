package io.stowage.storage.blob.s3;

import software.amazon.awssdk.services.s3.model.CompletedPart;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies an object to another key inside the bucket without its bytes passing through the
 * registry: S3 has no rename, and this is how a verified upload becomes a blob. One
 * {@code CopyObject} up to {@code singleCopyLimit} (S3 allows 5 GiB), beyond that a multipart
 * upload whose parts are {@code UploadPartCopy} ranges of the source. Thread-safe.
 */
final class ServerSideCopy {

    /** Range per copied part above the single-copy limit: 10,000 parts of it cover 10 TiB. */
    private final long copyPartSize;
    private final long singleCopyLimit;
    private final S3Bucket bucket;

    ServerSideCopy(S3Bucket bucket, long singleCopyLimit, long copyPartSize) {
        this.bucket = bucket;
        this.singleCopyLimit = singleCopyLimit;
        this.copyPartSize = copyPartSize;
    }

    static ServerSideCopy forS3(S3Bucket bucket) {
        return new ServerSideCopy(bucket, S3Settings.MAX_PART_SIZE, 1L << 30);
    }

    void copy(String sourceKey, String targetKey, long size) throws IOException {
        if (size <= singleCopyLimit) {
            bucket.copy(sourceKey, targetKey);
            return;
        }
        String multipartId = bucket.startMultipart(targetKey);
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int number = 1;
            for (long first = 0; first < size; first += copyPartSize, number++) {
                long last = Math.min(size, first + copyPartSize) - 1;
                String etag = bucket.copyPart(sourceKey, targetKey, multipartId, number, first, last);
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
            }
            bucket.completeMultipart(targetKey, multipartId, parts);
        } catch (IOException | RuntimeException e) {
            try {
                bucket.abortMultipart(targetKey, multipartId);
            } catch (IOException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw e;
        }
    }
}
