package io.stowage.storage.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stowage.storage.blob.BlobContent;
import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.blob.BlobUpload;
import io.stowage.storage.blob.DigestLocks;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.ManifestRecord;
import io.stowage.storage.meta.MetadataStore;
import io.stowage.storage.meta.Referrer;
import io.stowage.storage.meta.StoredManifest;
import io.stowage.storage.meta.UploadSession;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.ManifestParser;
import io.stowage.storage.oci.MediaTypes;
import io.stowage.storage.oci.ParsedManifest;
import io.stowage.storage.oci.Reference;
import io.stowage.storage.oci.RepositoryName;
import io.stowage.storage.oci.Tag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rules of the OCI Distribution API as plain Java: pull, push, content discovery and content
 * management over a {@link BlobStore} and a {@link MetadataStore}. HTTP handlers translate a
 * request into one call here and the result or {@link RegistryException} back into a response.
 *
 * <p>Every method may block on disk or database and must run off the network threads.
 * Thread-safe.
 */
public final class RegistryService {
    private static final Logger log = LoggerFactory.getLogger(RegistryService.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BlobStore blobs;
    private final MetadataStore metadata;
    private final Clock clock;
    private final long maxManifestBytes;
    private final UploadLocks uploadLocks;
    private final DigestLocks digestLocks;

    /** A service whose upload sessions no other process writes ({@link UploadLocks#inProcess}). */
    public RegistryService(BlobStore blobs, MetadataStore metadata, DigestLocks digestLocks, Clock clock,
                           long maxManifestBytes) {
        this(blobs, metadata, digestLocks, UploadLocks.inProcess(), clock, maxManifestBytes);
    }

    /**
     * @param digestLocks the locks the collector and the scrub of every process sharing the blobs use too
     * @param uploadLocks who writes an upload session: shared when other processes serve the same sessions
     */
    public RegistryService(BlobStore blobs, MetadataStore metadata, DigestLocks digestLocks, UploadLocks uploadLocks,
                           Clock clock, long maxManifestBytes) {
        this.blobs = blobs;
        this.metadata = metadata;
        this.digestLocks = digestLocks;
        this.uploadLocks = uploadLocks;
        this.clock = clock;
        this.maxManifestBytes = maxManifestBytes;
    }

    public long maxManifestBytes() {
        return maxManifestBytes;
    }

    // ---- blobs --------------------------------------------------------------------------------

    /**
     * The size of a blob visible in the repository; refreshes its GC hold. {@code BLOB_UNKNOWN}
     * otherwise, also when its bytes are not in the blob store (quarantined by the scrub, or lost):
     * a {@code HEAD} must not promise what a {@code GET} cannot serve, or a client pushing the image
     * again would skip exactly the blob that needs uploading.
     */
    public long statBlob(String repository, Digest digest) {
        long size = linkedSize(repository, digest);
        try {
            if (blobs.size(digest).isEmpty()) {
                throw RegistryException.blobUnknown(digest);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return size;
    }

    /**
     * A URL the client may fetch the blob from directly (a presigned S3 URL), when the blob store
     * hands them out, after the same checks as {@link #statBlob}. Empty: serve the bytes with {@link #openBlob}.
     */
    public Optional<URI> blobDownloadUrl(String repository, Digest digest) throws IOException {
        Optional<URI> url = blobs.downloadUrl(digest);
        if (url.isPresent()) {
            // Checked only when there is a URL to hand out: a store without URLs (the filesystem)
            // is checked once, by openBlob, instead of twice per GET.
            statBlob(repository, digest);
        }
        return url;
    }

    /** Opens a blob visible in the repository; the caller closes it. */
    public BlobContent openBlob(String repository, Digest digest) throws IOException {
        linkedSize(repository, digest);
        // The open itself finds bytes that are gone: no separate look at the store first (on S3, a request).
        return blobs.open(digest).orElseThrow(() -> RegistryException.blobUnknown(digest));
    }

    /** The size the repository's link records, refreshing the blob's GC hold; {@code BLOB_UNKNOWN} without a link. */
    private long linkedSize(String repository, Digest digest) {
        RepositoryName.validate(repository);
        return metadata.findLinkedBlob(repository, digest).orElseThrow(() -> RegistryException.blobUnknown(digest));
    }

    /** Removes the blob from the repository; its bytes stay until the garbage collector decides. */
    public void deleteBlob(String repository, Digest digest) {
        RepositoryName.validate(repository);
        if (!metadata.unlinkBlob(repository, digest)) {
            throw RegistryException.blobUnknown(digest);
        }
        log.info("blob unlinked repository={} digest={}", repository, digest);
    }

    /**
     * Cross-repository mount: links a blob that {@code from} can see into {@code repository}
     * without copying it. Returns the size, or empty when the blob is not mountable (the client
     * then gets an upload session instead, as the spec says).
     */
    public Optional<Long> mountBlob(String repository, String from, Digest digest) throws IOException {
        RepositoryName.validate(repository);
        if (from == null || !RepositoryName.isValid(from)) {
            return Optional.empty();
        }
        Optional<Long> mounted = digestLocks.withLock(digest.toString(), () -> {
            Optional<Long> size = metadata.findLinkedBlob(from, digest);
            if (size.isEmpty() || blobs.size(digest).isEmpty()) {
                return Optional.<Long>empty();
            }
            metadata.linkBlob(repository, digest, size.get());
            return size;
        });
        if (mounted.isPresent()) {
            log.info("blob mounted repository={} from={} digest={}", repository, from, digest);
        }
        return mounted;
    }

    // ---- uploads ------------------------------------------------------------------------------

    /** Starts an upload session in the repository. */
    public UploadSession startUpload(String repository) throws IOException {
        RepositoryName.validate(repository);
        BlobUpload upload = blobs.startUpload();
        Instant now = clock.instant();
        UploadSession session = new UploadSession(upload.id(), repository, 0, now, now);
        metadata.createUpload(session);
        return session;
    }

    /**
     * Opens a session of this repository for writing; {@code BLOB_UPLOAD_UNKNOWN} if there is no
     * such session here. The caller closes the writer when its request ends.
     */
    public UploadWriter openUpload(String repository, String uploadId) throws IOException {
        UploadLocks.Hold hold = uploadLocks.lock(sessionOf(repository, uploadId).uploadId());
        try {
            BlobUpload upload = blobs.resumeUpload(uploadId)
                    .orElseThrow(() -> RegistryException.uploadUnknown(uploadId));
            return new UploadWriter(repository, upload, blobs, metadata, digestLocks, clock, hold);
        } catch (IOException | RuntimeException e) {
            hold.release();
            throw e;
        }
    }

    /** The session with this id if it belongs to this repository; {@code BLOB_UPLOAD_UNKNOWN} otherwise. */
    private UploadSession sessionOf(String repository, String uploadId) {
        RepositoryName.validate(repository);
        return metadata.findUpload(uploadId)
                .filter(s -> s.repository().equals(repository))
                .orElseThrow(() -> RegistryException.uploadUnknown(uploadId));
    }

    /** The state of a session of this repository, for the upload status route. */
    public UploadSession uploadStatus(String repository, String uploadId) throws IOException {
        try (UploadWriter writer = openUpload(repository, uploadId)) {
            return new UploadSession(uploadId, repository, writer.size(), null, null);
        }
    }

    /** Cancels a session of this repository and discards its bytes. */
    public void cancelUpload(String repository, String uploadId) throws IOException {
        UploadLocks.Hold hold = uploadLocks.lock(sessionOf(repository, uploadId).uploadId());
        try {
            Optional<BlobUpload> upload = blobs.resumeUpload(uploadId);
            if (upload.isPresent()) {
                upload.get().cancel();
            }
            metadata.deleteUpload(uploadId);
        } finally {
            hold.release();
        }
    }

    /**
     * Removes upload sessions idle since before {@code cutoff}, and upload bytes in the blob
     * store that no session owns (left by a crash between the two), returning how many went.
     */
    public int purgeAbandonedUploads(Instant cutoff) throws IOException {
        int purged = 0;
        for (UploadSession session : metadata.listUploadsIdleSince(cutoff)) {
            UploadLocks.Hold hold;
            try {
                hold = uploadLocks.lock(session.uploadId());
            } catch (RegistryException busy) {
                continue;
            }
            try {
                Optional<BlobUpload> upload = blobs.resumeUpload(session.uploadId());
                if (upload.isPresent()) {
                    upload.get().cancel();
                }
                metadata.deleteUpload(session.uploadId());
                purged++;
            } finally {
                hold.release();
            }
        }
        List<BlobStore.UploadState> orphans = new ArrayList<>();
        blobs.forEachUpload(state -> {
            if (state.lastWriteAt().isBefore(cutoff)) {
                orphans.add(state);
            }
        });
        for (BlobStore.UploadState orphan : orphans) {
            if (metadata.findUpload(orphan.uploadId()).isPresent()) {
                continue;
            }
            Optional<BlobUpload> upload = blobs.resumeUpload(orphan.uploadId());
            if (upload.isPresent()) {
                upload.get().cancel();
                purged++;
            }
        }
        if (purged > 0) {
            log.info("abandoned uploads purged count={} idleBefore={}", purged, cutoff);
        }
        return purged;
    }

    // ---- manifests ----------------------------------------------------------------------------

    /**
     * Stores a manifest under its digest and points the reference's tag (and any extra tags) at
     * it. Every referenced blob and child manifest must already be in the repository.
     *
     * @param contentType the request's media type without parameters, or null
     */
    public PutManifestResult putManifest(String repository, Reference reference, String contentType,
                                         byte[] content, List<String> extraTags, String actor) {
        RepositoryName.validate(repository);
        if (content.length > maxManifestBytes) {
            throw RegistryException.sizeInvalidWithStatus("manifest larger than " + maxManifestBytes + " bytes", 413);
        }
        extraTags.forEach(Tag::validate);
        Digest digest = reference.isDigest()
                ? Digest.of(reference.digest().algorithm(), content)
                : Digest.sha256(content);
        if (reference.isDigest() && !digest.equals(reference.digest())) {
            throw RegistryException.digestInvalid(
                    "manifest content hashes to " + digest + ", not " + reference.digest());
        }
        ParsedManifest parsed = ManifestParser.parse(content, contentType);
        ManifestRecord record = new ManifestRecord(repository, digest, parsed.mediaType(), parsed.artifactType(),
                parsed.subject(), parsed.annotationsJson(), content, parsed.blobs(), parsed.children());
        List<String> tags = new ArrayList<>();
        if (!reference.isDigest()) {
            tags.add(reference.tag());
        }
        extraTags.stream().filter(tag -> !tags.contains(tag)).forEach(tags::add);
        metadata.putManifest(record, tags, actor);
        log.info("manifest stored repository={} reference={} digest={} mediaType={} actor={}",
                repository, reference, digest, parsed.mediaType(), actor);
        return new PutManifestResult(digest, parsed.subject());
    }

    /**
     * {@link #getManifest} if it can be answered from memory without blocking, else empty (which
     * says nothing about whether the manifest exists: ask {@link #getManifest} on a worker).
     */
    public Optional<StoredManifest> cachedManifest(String repository, Reference reference) {
        // No name check: only names that passed it on the way into the cache can be found there.
        return reference.isDigest()
                ? metadata.cachedManifest(repository, reference.digest())
                : metadata.cachedManifestByTag(repository, reference.tag());
    }

    /** A manifest by tag or digest; {@code MANIFEST_UNKNOWN} otherwise. */
    public StoredManifest getManifest(String repository, Reference reference) {
        RepositoryName.validate(repository);
        Optional<StoredManifest> found = reference.isDigest()
                ? metadata.findManifest(repository, reference.digest())
                : metadata.findManifestByTag(repository, reference.tag());
        return found.orElseThrow(() -> RegistryException.manifestUnknown(reference.toString()));
    }

    /**
     * Soft-deletes a tag (reference is a tag) or a manifest and its tags (reference is a digest):
     * gone for clients, journaled, and restorable until the retention window passes.
     */
    public void deleteManifest(String repository, Reference reference, String actor) {
        RepositoryName.validate(repository);
        boolean deleted = reference.isDigest()
                ? metadata.deleteManifest(repository, reference.digest(), actor)
                : metadata.deleteTag(repository, reference.tag(), actor);
        if (!deleted) {
            throw RegistryException.manifestUnknown(reference.toString());
        }
        log.info("manifest deleted repository={} reference={} actor={}", repository, reference, actor);
    }

    // ---- content discovery --------------------------------------------------------------------

    /**
     * One page of the repository's tags, sorted; {@code NAME_UNKNOWN} if the repository does not
     * exist. Asks for one more than {@code limit} so the caller knows whether a next page exists.
     */
    public Page listTags(String repository, String last, int limit) {
        RepositoryName.validate(repository);
        if (!metadata.repositoryExists(repository)) {
            throw RegistryException.nameUnknown(repository);
        }
        return Page.of(metadata.listTags(repository, last, limit + 1), limit);
    }

    /**
     * Throws unless both backends answer now: one query of the metadata store and one look at the
     * blob store. For the readiness probe.
     */
    public void checkReady() throws IOException {
        metadata.listRepositories(null, 1);
        blobs.checkReachable();
    }

    /** One page of repository names, sorted. */
    public Page listRepositories(String last, int limit) {
        return Page.of(metadata.listRepositories(last, limit + 1), limit);
    }

    /**
     * The referrers of {@code subject} as an OCI image index (JSON bytes), optionally only those
     * of one artifact type.
     */
    public byte[] referrersIndex(String repository, Digest subject, String artifactType) {
        RepositoryName.validate(repository);
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        for (Referrer referrer : metadata.listReferrers(repository, subject)) {
            if (artifactType != null && !artifactType.equals(referrer.artifactType())) {
                continue;
            }
            ObjectNode descriptor = manifests.addObject();
            descriptor.put("mediaType", referrer.mediaType());
            descriptor.put("digest", referrer.digest().toString());
            descriptor.put("size", referrer.size());
            if (referrer.artifactType() != null) {
                descriptor.put("artifactType", referrer.artifactType());
            }
            if (referrer.annotationsJson() != null) {
                descriptor.set("annotations", readJson(referrer.annotationsJson()));
            }
        }
        try {
            return JSON.writeValueAsBytes(index);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode readJson(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The digest and subject of a stored manifest. */
    public record PutManifestResult(Digest digest, Digest subject) {
    }

    /** A page of sorted names and whether more follow. */
    public record Page(List<String> items, boolean hasMore) {
        static Page of(List<String> fetched, int limit) {
            boolean more = fetched.size() > limit;
            return new Page(more ? List.copyOf(fetched.subList(0, limit)) : List.copyOf(fetched), more);
        }
    }
}
