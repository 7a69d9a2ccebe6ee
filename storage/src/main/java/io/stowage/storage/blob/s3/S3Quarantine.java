package io.stowage.storage.blob.s3;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.oci.Digest;

import java.io.IOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where an {@link S3BlobStore} keeps blobs the integrity scrub took out of service:
 * {@code <prefix>quarantine/<algorithm>/<hex>-<time>} with a note object {@code ...json} beside it,
 * the same shape as the filesystem store's quarantine. Never deleted by the registry.
 *
 * <p>S3 has no rename: the note is written first, then the blob is copied inside S3, then the
 * original deleted, so a crash leaves at worst a note without bytes or a blob in both places, never
 * bytes without a note. The caller holds the digest's lock, which keeps pushes on this replica out;
 * a push of the same digest on another replica between the copy and the delete would be removed with
 * the original (and pushed again by its client after {@code BLOB_UNKNOWN}). Thread-safe: names are
 * probed and a clash takes a counter.
 */
final class S3Quarantine {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter NAME_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter NOTE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final S3Bucket bucket;
    private final S3Keys keys;
    private final ServerSideCopy copy;

    S3Quarantine(S3Bucket bucket, S3Keys keys, ServerSideCopy copy) {
        this.bucket = bucket;
        this.keys = keys;
        this.copy = copy;
    }

    synchronized Optional<String> quarantine(Digest digest, BlobStore.QuarantineNote note) throws IOException {
        String blobKey = keys.blob(digest);
        Optional<Long> size = bucket.head(blobKey).map(head -> head.contentLength());
        if (size.isEmpty()) {
            return Optional.empty();
        }
        String target = freeName(keys.quarantine(digest) + "-" + NAME_TIME.format(note.at()));
        String noteKey = target + ".json";
        bucket.put(noteKey, noteBody(digest, size.get(), note));
        try {
            copy.copy(blobKey, target, size.get());
        } catch (IOException e) {
            if (S3Bucket.isNotFound(e) && bucket.head(blobKey).isEmpty()) {
                bucket.delete(noteKey); // collected meanwhile: nothing quarantined, no note either
                return Optional.empty();
            }
            throw e;
        }
        bucket.delete(blobKey);
        return Optional.of("s3://" + bucket.name() + "/" + target);
    }

    private String freeName(String base) throws IOException {
        String candidate = base;
        for (int n = 1; bucket.head(candidate).isPresent() || bucket.head(candidate + ".json").isPresent(); n++) {
            candidate = base + "-" + n;
        }
        return candidate;
    }

    private static byte[] noteBody(Digest digest, long size, BlobStore.QuarantineNote note) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("digest", digest.toString());
        body.put("actualDigest", note.actualDigest() == null ? null : note.actualDigest().toString());
        body.put("size", size);
        body.put("reason", note.reason());
        body.put("quarantinedAt", NOTE_TIME.format(note.at()));
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
    }
}
