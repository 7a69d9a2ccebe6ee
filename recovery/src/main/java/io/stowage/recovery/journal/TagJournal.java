package io.stowage.recovery.journal;

import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.DeletedManifest;
import io.stowage.storage.meta.MetadataStore;
import io.stowage.storage.meta.StoredManifest;
import io.stowage.storage.meta.TagEvent;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.RepositoryName;
import io.stowage.storage.oci.Tag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Undelete and history over the tag journal (invariant 5): lists deleted tags and manifests with
 * whether their content is all still there, restores a tag to its last or any earlier digest,
 * rolls a live tag back on request, and refuses with {@code CONTENT_MISSING}, changing nothing,
 * when something it needs was collected. Thread-safe; every call may block on the stores.
 */
public final class TagJournal {
    private static final Logger log = LoggerFactory.getLogger(TagJournal.class);

    private final MetadataStore metadata;
    private final ContentCheck content;
    private final Clock clock;

    public TagJournal(MetadataStore metadata, BlobStore blobs, Clock clock) {
        this.metadata = metadata;
        this.content = new ContentCheck(metadata, blobs);
        this.clock = clock;
    }

    /** The tag's events, newest first; {@code TAG_UNKNOWN} if it has none. */
    public List<TagEvent> history(String repository, String tag) {
        RepositoryName.validate(repository);
        Tag.validate(tag);
        List<TagEvent> events = metadata.tagHistory(repository, tag);
        if (events.isEmpty()) {
            throw RegistryException.tagUnknown(repository, tag);
        }
        return events;
    }

    /** Tags deleted now, newest deletion first, each with what of its content is missing. */
    public List<DeletedTag> deletedTags(String repository) {
        RepositoryName.validate(repository);
        List<DeletedTag> deleted = new ArrayList<>();
        for (TagEvent event : metadata.deletedTags(repository)) {
            deleted.add(new DeletedTag(event, content.missing(repository, event.digest())));
        }
        return deleted;
    }

    /** Soft-deleted manifests, newest deletion first, each with what of its content is missing. */
    public List<DeletedManifestState> deletedManifests(String repository) {
        RepositoryName.validate(repository);
        List<DeletedManifestState> deleted = new ArrayList<>();
        for (DeletedManifest manifest : metadata.deletedManifests(repository)) {
            deleted.add(new DeletedManifestState(manifest, content.missing(repository, manifest.digest())));
        }
        return deleted;
    }

    /**
     * Points the tag at its last digest again, or at {@code digest} (any digest the tag ever had).
     * A live tag is only rolled back with {@code force}. Nothing changes unless every blob and
     * manifest needed is present.
     */
    public Restored undelete(String repository, String tag, Digest digest, boolean force, String actor) {
        List<TagEvent> events = history(repository, tag);
        Optional<StoredManifest> live = metadata.findManifestByTag(repository, tag);
        Digest target = digest != null ? digest : events.get(0).digest();
        if (digest != null && events.stream().noneMatch(e -> digest.equals(e.digest()) || digest.equals(e.previousDigest()))) {
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN,
                    "tag " + tag + " never pointed at " + digest, Map.of("tag", tag, "digest", digest.toString()));
        }
        if (live.isPresent()) {
            if (!force || digest == null) {
                throw RegistryException.tagExists(tag, live.get().digest());
            }
            if (live.get().digest().equals(target)) {
                return new Restored(repository, tag, target, live.get().digest(), clock.instant());
            }
        }
        List<String> missing = content.missing(repository, target);
        if (!missing.isEmpty()) {
            throw contentMissing(repository, tag, target, missing);
        }
        metadata.restoreTag(repository, tag, target, actor);
        Digest previous = live.map(StoredManifest::digest).orElse(null);
        log.info("tag restored repository={} tag={} digest={} previous={} actor={}", repository, tag, target, previous, actor);
        return new Restored(repository, tag, target, previous, clock.instant());
    }

    /** Brings a soft-deleted manifest back with its tags (those not live elsewhere now). */
    public RestoredManifest undeleteManifest(String repository, Digest digest, String actor) {
        RepositoryName.validate(repository);
        if (metadata.findManifestGraph(repository, digest).isEmpty()) {
            List<String> missing = List.of(digest.toString());
            throw contentMissing(repository, null, digest, missing);
        }
        List<String> missing = content.missing(repository, digest);
        if (!missing.isEmpty()) {
            throw contentMissing(repository, null, digest, missing);
        }
        List<String> tags = metadata.restoreManifest(repository, digest, actor);
        log.info("manifest restored repository={} digest={} tags={} actor={}", repository, digest, tags, actor);
        return new RestoredManifest(repository, digest, tags, clock.instant());
    }

    /**
     * Points {@code tag} at {@code digest} after a re-import brought its content back: the explicit
     * restore of a tag whose journal may not know that digest (a registry rebuilt from a backup has
     * no journal). The re-import has checked the digest against the audit log instead. Refuses a
     * live tag that points elsewhere ({@code TAG_EXISTS}) and missing content
     * ({@code CONTENT_MISSING}); journaled {@code restored} like an undelete.
     */
    public Restored restore(String repository, String tag, Digest digest, String actor) {
        RepositoryName.validate(repository);
        Tag.validate(tag);
        Optional<StoredManifest> live = metadata.findManifestByTag(repository, tag);
        if (live.isPresent() && !live.get().digest().equals(digest)) {
            throw RegistryException.tagExists(tag, live.get().digest());
        }
        List<String> missing = content.missing(repository, digest);
        if (!missing.isEmpty()) {
            throw contentMissing(repository, tag, digest, missing);
        }
        metadata.restoreTag(repository, tag, digest, actor);
        Digest previous = live.map(StoredManifest::digest).orElse(null);
        log.info("tag restored after re-import repository={} tag={} digest={} actor={}", repository, tag, digest, actor);
        return new Restored(repository, tag, digest, previous, clock.instant());
    }

    /**
     * {@code CONTENT_MISSING} with {@code detail.missingBlobs} and, in {@code detail.reimport}, the
     * command that fetches exactly those from a backup or another registry and restores.
     */
    static RegistryException contentMissing(String repository, String tag, Digest digest, List<String> missing) {
        RegistryException plain = RegistryException.contentMissing(repository, digest, missing);
        Map<String, Object> detail = new java.util.LinkedHashMap<>(castDetail(plain.detail()));
        detail.put("reimport", reimportCommand(repository, tag, digest));
        return new RegistryException(plain.code(), plain.getMessage(), detail);
    }

    /** The {@code registry recover reimport} command line for the operator to complete with a source. */
    public static String reimportCommand(String repository, String tag, Digest digest) {
        return "registry recover reimport --repository " + repository + (tag == null ? "" : " --tag " + tag)
                + " --digest " + digest + " --from <backup dir or registry URL> --restore";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castDetail(Object detail) {
        return (Map<String, Object>) detail;
    }

    /** A deleted tag and what of its content is missing (empty: restorable). */
    public record DeletedTag(TagEvent deletion, List<String> missingBlobs) {
        public boolean restorable() {
            return missingBlobs.isEmpty();
        }
    }

    /** A soft-deleted manifest and what of its content is missing (empty: restorable). */
    public record DeletedManifestState(DeletedManifest manifest, List<String> missingBlobs) {
        public boolean restorable() {
            return missingBlobs.isEmpty();
        }
    }

    /** The outcome of an undelete: the tag now points at {@code digest}; {@code previousDigest} is what it pointed at, if live. */
    public record Restored(String repository, String tag, Digest digest, Digest previousDigest, Instant restoredAt) {
    }

    /** The outcome of a manifest undelete. */
    public record RestoredManifest(String repository, Digest digest, List<String> restoredTags, Instant restoredAt) {
    }
}
