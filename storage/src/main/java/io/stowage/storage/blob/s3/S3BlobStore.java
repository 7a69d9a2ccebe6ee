package io.stowage.storage.blob.s3;

import io.stowage.storage.blob.BlobContent;
import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.blob.BlobUpload;
import io.stowage.storage.oci.Digest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A {@link BlobStore} in an S3 bucket (AWS S3, MinIO, Ceph RGW, any S3-compatible server), shared
 * by every replica that points at the same bucket and prefix. Key layout: {@link S3Keys}; upload
 * sessions: {@link S3Upload}. All session state lives in the bucket, so a chunked upload may move
 * between replicas from one request to the next; the only local thing is the spool file of a
 * request's part in progress, under a directory of this instance that {@link #close} removes.
 *
 * <p>Blob timestamps ({@code storedAt}) are the objects' {@code Last-Modified}, the S3 server's
 * clock; upload timestamps are the registry's clock, written into the session's state.
 *
 * <p>Thread-safe.
 */
public final class S3BlobStore implements BlobStore {

    private static final Logger log = LoggerFactory.getLogger(S3BlobStore.class);

    private final S3Settings settings;
    private final S3Client client;
    private final S3Presigner presigner;
    private final S3Bucket bucket;
    private final S3Keys keys;
    private final Path spoolDir;
    private final S3Upload.Context uploads;
    private final S3Quarantine quarantine;

    /** Opens the store; fails when the bucket cannot be reached with these settings. */
    public S3BlobStore(S3Settings settings, Clock clock) throws IOException {
        this(settings, clock, null);
    }

    /** With a copy strategy of the test's choosing (a low single-copy limit exercises multipart copy). */
    S3BlobStore(S3Settings settings, Clock clock, ServerSideCopy copy) throws IOException {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.keys = new S3Keys(settings.prefix());
        this.client = S3Clients.client(settings);
        try {
            this.bucket = new S3Bucket(client, settings.bucket());
            bucket.requireReachable();
            this.presigner = settings.redirect() ? S3Clients.presigner(settings) : null;
            Path spoolBase = settings.spoolDir() != null ? settings.spoolDir() : Path.of(System.getProperty("java.io.tmpdir"));
            Files.createDirectories(spoolBase);
            this.spoolDir = Files.createTempDirectory(spoolBase, "stowage-s3-spool-");
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
        ServerSideCopy copier = copy != null ? copy : ServerSideCopy.forS3(bucket);
        this.uploads = new S3Upload.Context(bucket, keys, copier, Objects.requireNonNull(clock, "clock"), spoolDir,
                settings.partSize());
        this.quarantine = new S3Quarantine(bucket, keys, copier);
        log.info("blob store opened {}", settings);
    }

    @Override
    public Optional<Long> size(Digest digest) throws IOException {
        return bucket.head(keys.blob(digest)).map(HeadObjectResponse::contentLength);
    }

    @Override
    public Optional<BlobContent> open(Digest digest) throws IOException {
        String key = keys.blob(digest);
        return bucket.head(key).map(head -> new S3BlobContent(bucket, key, head.contentLength()));
    }

    /** A presigned {@code GET} of the blob's object, when {@code storage.s3.redirect} is on. */
    @Override
    public Optional<URI> downloadUrl(Digest digest) throws IOException {
        if (presigner == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(presigner.presignGetObject(b -> b.signatureDuration(settings.redirectExpiry())
                    .getObjectRequest(g -> g.bucket(settings.bucket()).key(keys.blob(digest)))).url().toURI());
        } catch (SdkException | URISyntaxException e) {
            throw new IOException("cannot presign a download of " + digest, e);
        }
    }

    @Override
    public BlobUpload startUpload() throws IOException {
        String id = UUID.randomUUID().toString();
        UploadSessionState state = UploadSessionState.empty(uploads.clock().millis());
        bucket.put(keys.state(id), state.toJson());
        log.debug("upload started upload={}", id);
        return new S3Upload(id, uploads, state);
    }

    /** Ids are checked against the UUID grammar before any key is built. */
    @Override
    public Optional<BlobUpload> resumeUpload(String uploadId) throws IOException {
        if (!S3Keys.isUploadId(uploadId)) {
            return Optional.empty();
        }
        Optional<byte[]> json = bucket.getBytes(keys.state(uploadId));
        if (json.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new S3Upload(uploadId, uploads, UploadSessionState.fromJson(json.get())));
    }

    /** Not atomic with the check, which the collector's digest lock makes unnecessary. */
    @Override
    public boolean delete(Digest digest) throws IOException {
        String key = keys.blob(digest);
        if (bucket.head(key).isEmpty()) {
            return false;
        }
        bucket.delete(key);
        log.debug("blob deleted digest={}", digest);
        return true;
    }

    @Override
    public Optional<String> quarantine(Digest digest, QuarantineNote note) throws IOException {
        Optional<String> where = quarantine.quarantine(digest, note);
        where.ifPresent(key -> log.warn("blob quarantined digest={} key={} reason={}", digest, key, note.reason()));
        return where;
    }

    @Override
    public void forEachBlob(Consumer<StoredBlob> visitor) throws IOException {
        bucket.list(keys.blobsPrefix(), object -> keys.digestOf(object.key()).ifPresent(digest ->
                visitor.accept(new StoredBlob(digest, object.size(), object.lastModified()))));
    }

    /** Lists the state objects, then reads each: sessions in progress are few. */
    @Override
    public void checkReachable() throws IOException {
        bucket.requireReachable();
    }

    @Override
    public void forEachUpload(Consumer<UploadState> visitor) throws IOException {
        List<String> ids = new ArrayList<>();
        bucket.list(keys.uploadsPrefix(), object -> keys.uploadIdOfState(object.key()).ifPresent(ids::add));
        for (String id : ids) {
            Optional<byte[]> json = bucket.getBytes(keys.state(id));
            if (json.isEmpty()) {
                continue; // committed or cancelled since the listing
            }
            UploadSessionState state = UploadSessionState.fromJson(json.get());
            visitor.accept(new UploadState(id, state.size(), Instant.ofEpochMilli(state.lastWriteAtMillis())));
        }
    }

    /** Sessions stay in the bucket, resumable by any store over it; local spool files go. */
    @Override
    public void close() throws IOException {
        try (client) {
            if (presigner != null) {
                presigner.close();
            }
            deleteTree(spoolDir);
        }
        log.info("blob store closed bucket={} prefix={}", settings.bucket(), settings.prefix());
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
