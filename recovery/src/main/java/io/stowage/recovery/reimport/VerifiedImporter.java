package io.stowage.recovery.reimport;

import io.stowage.storage.blob.BlobContent;
import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.ManifestGraph;
import io.stowage.storage.meta.MetadataStore;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.ManifestParser;
import io.stowage.storage.oci.ParsedManifest;
import io.stowage.storage.oci.Reference;
import io.stowage.storage.registry.RegistryService;
import io.stowage.storage.registry.UploadWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Brings a manifest and everything beneath it into a repository from a {@link ContentSource},
 * fetching exactly what is missing and storing nothing unverified.
 *
 * <p>Blobs go through the same path as a client's push ({@link RegistryService#startUpload},
 * {@link UploadWriter#complete}): hashed while they stream in, published only when the digest
 * matched and the bytes are durable, linked under the digest's lock so the collector cannot race
 * it (invariant 1). A blob is read no further than the size its manifest declares. A manifest is
 * hashed before it is parsed and stored only after every reference it has is in the repository,
 * through {@link RegistryService#putManifest} by digest, which checks the references once more in
 * its transaction. A failed item is reported and the walk goes on, so one bad layer does not hide
 * what else is wrong, but nothing above a failed item is stored.
 *
 * <p>A manifest whose row the registry kept (live, soft-deleted, or a tombstone the collector
 * left) is not fetched again: its references are read from the metadata store. One instance per
 * import; not thread-safe.
 */
public final class VerifiedImporter {
    private static final Logger log = LoggerFactory.getLogger(VerifiedImporter.class);
    private static final int BUFFER = 256 * 1024;

    private final RegistryService registry;
    private final MetadataStore metadata;
    private final BlobStore blobs;
    private final ContentSource source;
    private final String sourceRepository;
    private final String actor;
    private final ImportReport.Tally tally = new ImportReport.Tally();
    /** Outcome per digest already walked (true: present now), so a layer shared by many images is fetched once. */
    private final Map<Digest, Boolean> done = new HashMap<>();

    /**
     * @param sourceRepository the repository name to ask the source for (a layout of plain tags ignores it)
     * @param actor            recorded as the pusher of stored manifests (the tag journal is not touched)
     */
    public VerifiedImporter(RegistryService registry, MetadataStore metadata, BlobStore blobs, ContentSource source,
                            String sourceRepository, String actor) {
        this.registry = registry;
        this.metadata = metadata;
        this.blobs = blobs;
        this.source = source;
        this.sourceRepository = sourceRepository;
        this.actor = actor;
    }

    /**
     * Makes {@code digest} and all it references present in {@code repository}; true when it is.
     *
     * @param fetched the manifest's bytes if the caller already has them from the source (verified here), or null
     */
    public boolean importManifest(String repository, Digest digest, ContentSource.SourceManifest fetched) {
        Boolean known = done.get(digest);
        if (known != null) {
            return known;
        }
        boolean ok;
        try {
            ok = walkManifest(repository, digest, fetched);
        } catch (IOException | RuntimeException e) {
            // A store that fails is reported like a source that fails: the walk goes on, nothing half-stored.
            log.warn("re-import of manifest failed repository={} digest={}", repository, digest, e);
            tally.failed(digest.toString(), "manifest", "storing failed: " + e.getMessage());
            ok = false;
        }
        done.put(digest, ok);
        return ok;
    }

    /** What was done so far. */
    public ImportReport report() {
        return tally.report();
    }

    private boolean walkManifest(String repository, Digest digest, ContentSource.SourceManifest fetched)
            throws IOException {
        Optional<ManifestGraph> kept = metadata.findManifestGraph(repository, digest);
        if (kept.isPresent()) {
            return completeKept(repository, kept.get(), fetched);
        }
        ContentSource.SourceManifest manifest = fetched != null ? fetched : fetchManifest(digest);
        if (manifest == null) {
            return false;
        }
        Digest actual = Digest.of(digest.algorithm(), manifest.content());
        if (!actual.equals(digest)) {
            tally.failed(digest.toString(), "manifest", source.describe() + " sent a manifest that hashes to " + actual);
            return false;
        }
        ParsedManifest parsed;
        try {
            parsed = ManifestParser.parse(manifest.content(), manifest.mediaType());
        } catch (RegistryException e) {
            tally.failed(digest.toString(), "manifest", "not a manifest this registry accepts: " + e.getMessage());
            return false;
        }
        Map<Digest, Long> sizes = DescriptorSizes.of(manifest.content());
        boolean referencesPresent = true;
        for (Digest child : parsed.children()) {
            referencesPresent &= importManifest(repository, child, null);
        }
        for (Digest blob : parsed.blobs()) {
            referencesPresent &= importBlob(repository, blob, sizes.getOrDefault(blob, -1L));
        }
        if (!referencesPresent) {
            tally.failed(digest.toString(), "manifest", "not stored: some of its content failed (see the other failures)");
            return false;
        }
        try {
            registry.putManifest(repository, Reference.ofDigest(digest), parsed.mediaType(), manifest.content(),
                    List.of(), actor);
        } catch (RegistryException e) {
            tally.failed(digest.toString(), "manifest", "refused: " + e.getMessage());
            return false;
        }
        tally.imported(digest.toString(), "manifest", manifest.content().length);
        return true;
    }

    /** A manifest whose row is kept: only what it references may be missing. */
    private boolean completeKept(String repository, ManifestGraph graph, ContentSource.SourceManifest fetched)
            throws IOException {
        boolean ok = true;
        for (Digest child : graph.children()) {
            ok &= importManifest(repository, child, null);
        }
        Map<Digest, Long> sizes = null;
        for (Digest blob : graph.blobs()) {
            if (present(repository, blob)) {
                ok &= importBlob(repository, blob, -1);
                continue;
            }
            if (sizes == null) {
                // The kept row has no sizes; the source's copy of the manifest has, once it is verified.
                sizes = declaredSizes(graph.digest(), fetched);
            }
            ok &= importBlob(repository, blob, sizes.getOrDefault(blob, -1L));
        }
        tally.present(graph.digest().toString(), "manifest", -1, graph.deleted() ? "deleted" : null);
        return ok;
    }

    private Map<Digest, Long> declaredSizes(Digest digest, ContentSource.SourceManifest fetched) {
        try {
            ContentSource.SourceManifest manifest = fetched != null ? fetched
                    : source.manifest(sourceRepository, Reference.ofDigest(digest), registry.maxManifestBytes());
            if (Digest.of(digest.algorithm(), manifest.content()).equals(digest)) {
                return DescriptorSizes.of(manifest.content());
            }
        } catch (SourceException e) {
            log.info("no declared sizes for the blobs of {} from {}: {}", digest, source.describe(), e.getMessage());
        }
        return Map.of();
    }

    private ContentSource.SourceManifest fetchManifest(Digest digest) {
        try {
            return source.manifest(sourceRepository, Reference.ofDigest(digest), registry.maxManifestBytes());
        } catch (SourceException e) {
            tally.failed(digest.toString(), "manifest", e.getMessage());
            return null;
        }
    }

    private boolean present(String repository, Digest blob) throws IOException {
        return metadata.findLinkedBlob(repository, blob).isPresent() && blobs.size(blob).isPresent();
    }

    private boolean importBlob(String repository, Digest digest, long declaredSize) {
        Boolean known = done.get(digest);
        if (known != null) {
            return known;
        }
        boolean ok;
        try {
            ok = fetchBlob(repository, digest, declaredSize);
        } catch (IOException | RuntimeException e) {
            log.warn("re-import of blob failed repository={} digest={}", repository, digest, e);
            tally.failed(digest.toString(), "blob", "storing failed: " + e.getMessage());
            ok = false;
        }
        done.put(digest, ok);
        return ok;
    }

    private boolean fetchBlob(String repository, Digest digest, long declaredSize) throws IOException {
        Optional<Long> linked = metadata.findLinkedBlob(repository, digest);
        Optional<Long> stored = blobs.size(digest);
        if (linked.isPresent() && stored.isPresent()) {
            tally.present(digest.toString(), "blob", stored.get(), null);
            return true;
        }
        if (stored.isPresent()) {
            // The bytes are here but this repository may not see them: copy them through an upload of
            // its own, so the link is made exactly as a push makes it (verified again, under the lock).
            Optional<BlobContent> local = blobs.open(digest);
            if (local.isPresent()) {
                try (BlobContent content = local.get();
                     InputStream in = Channels.newInputStream(content.read(0, content.size()))) {
                    String problem = upload(repository, digest, in, content.size());
                    if (problem == null) {
                        tally.linked(digest.toString(), content.size());
                        return true;
                    }
                }
            }
        }
        ContentSource.SourceBlob blob;
        try {
            blob = source.blob(sourceRepository, digest);
        } catch (SourceException e) {
            tally.failed(digest.toString(), "blob", e.getMessage());
            return false;
        }
        try (blob) {
            if (declaredSize >= 0 && blob.size() >= 0 && blob.size() != declaredSize) {
                tally.failed(digest.toString(), "blob", source.describe() + " offers " + blob.size()
                        + " bytes; the manifest declares " + declaredSize);
                return false;
            }
            long limit = declaredSize >= 0 ? declaredSize : blob.size();
            String problem = upload(repository, digest, blob.stream(), limit);
            if (problem != null) {
                tally.failed(digest.toString(), "blob", problem);
                return false;
            }
            tally.imported(digest.toString(), "blob", limit >= 0 ? limit : blobs.size(digest).orElse(-1L));
            return true;
        }
    }

    /**
     * Streams {@code in} into a new upload session of the repository and completes it under
     * {@code digest}; returns null when stored, else why not (the session is then cancelled, so
     * nothing of it remains).
     *
     * @param limit the exact number of bytes expected, or -1 when unknown
     */
    private String upload(String repository, Digest digest, InputStream in, long limit) throws IOException {
        String uploadId = registry.startUpload(repository).uploadId();
        String problem = null;
        boolean committed = false;
        try (UploadWriter writer = registry.openUpload(repository, uploadId)) {
            byte[] buffer = new byte[BUFFER];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (limit >= 0 && total > limit) {
                    problem = source.describe() + " sent more than the " + limit + " bytes declared";
                    break;
                }
                writer.append(ByteBuffer.wrap(buffer, 0, n));
            }
            if (problem == null && limit >= 0 && total != limit) {
                problem = source.describe() + " sent " + total + " bytes; " + limit + " were declared";
            }
            if (problem == null) {
                try {
                    writer.complete(digest);
                    committed = true;
                } catch (RegistryException e) {
                    problem = "digest mismatch: the bytes from " + source.describe() + " do not hash to " + digest
                            + " (" + e.getMessage() + ")";
                }
            }
        } catch (IOException e) {
            problem = "reading from " + source.describe() + " failed: " + e.getMessage();
        } finally {
            if (!committed) {
                cancelQuietly(repository, uploadId);
            }
        }
        return problem;
    }

    private void cancelQuietly(String repository, String uploadId) {
        try {
            registry.cancelUpload(repository, uploadId);
        } catch (IOException | RuntimeException e) {
            // A session already removed by a failed commit; the purge takes any leftover.
            log.debug("upload {} not cancelled: {}", uploadId, e.getMessage());
        }
    }
}
