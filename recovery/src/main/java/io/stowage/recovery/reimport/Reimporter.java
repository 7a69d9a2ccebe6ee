package io.stowage.recovery.reimport;

import io.stowage.audit.AuditSink;
import io.stowage.recovery.journal.TagJournal;
import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.MetadataStore;
import io.stowage.storage.meta.StoredManifest;
import io.stowage.storage.meta.TagEvent;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.Reference;
import io.stowage.storage.oci.RepositoryName;
import io.stowage.storage.oci.Tag;
import io.stowage.storage.registry.RegistryService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The verified re-import of one image: settles which digest is meant, checks it against the audit
 * log's record of the original push (refusing an unrecorded one when asked to), fetches exactly the
 * missing manifests and blobs with a {@link VerifiedImporter}, and, when asked and everything came
 * back, puts the tag back through the tag journal. Each step is an audit event under the
 * request's id. Thread-safe; every call blocks on the stores and the source.
 */
public final class Reimporter {
    private static final Logger log = LoggerFactory.getLogger(Reimporter.class);

    private final RegistryService registry;
    private final MetadataStore metadata;
    private final BlobStore blobs;
    private final TagJournal journal;
    private final PushProvenance provenance;
    private final RecoveryAudit audit;
    private final BooleanSupplier gcPaused;
    private final Clock clock;

    /** @param gcPaused whether garbage collection is paused now (a warning when it is not) */
    public Reimporter(RegistryService registry, MetadataStore metadata, BlobStore blobs, TagJournal journal,
                      PushProvenance provenance, AuditSink audit, BooleanSupplier gcPaused, Clock clock) {
        this.registry = registry;
        this.metadata = metadata;
        this.blobs = blobs;
        this.journal = journal;
        this.provenance = provenance;
        this.audit = new RecoveryAudit(audit, clock);
        this.gcPaused = gcPaused;
        this.clock = clock;
    }

    /**
     * What to re-import.
     *
     * @param tag              the tag to restore and to check the push record against; null for a digest only
     * @param digest           the manifest digest; null to take the tag's last digest from the journal, else from the source
     * @param sourceRepository the repository's name in the source (null: the same name)
     * @param requestId        the request that asked, for the audit events (null outside a request)
     */
    public record Request(String repository, String tag, Digest digest, String sourceRepository,
                          boolean requireAudited, boolean restore, String actor, String requestId) {
        public Request {
            RepositoryName.validate(repository);
            if (tag != null) {
                Tag.validate(tag);
            }
            if (tag == null && digest == null) {
                throw new RegistryException(ErrorCode.UNSUPPORTED, "give a tag, a digest, or both", null, 400);
            }
            if (sourceRepository != null) {
                RepositoryName.validate(sourceRepository);
            }
        }

        String sourceName() {
            return sourceRepository != null ? sourceRepository : repository;
        }
    }

    /**
     * The outcome.
     *
     * @param digestFrom where the digest came from: {@code request}, {@code journal} (the tag's last
     *                   digest, as undelete takes it) or {@code source} (the source's tag)
     * @param provenance the audited push, or null (then {@code warnings} says so, loudly)
     * @param restored   the restore, or null when not asked for or not possible (a warning says why)
     */
    public record Report(String repository, String tag, Digest digest, String digestFrom, String source,
                         PushProvenance.PushRecord provenance, List<String> warnings, ImportReport content,
                         Restored restored) {
        public boolean complete() {
            return content.complete();
        }
    }

    /**
     * A restore after the import.
     *
     * @param tags           the tags that point at the digest now (one for a tag; a manifest undelete may bring several)
     * @param previousDigest what the tag pointed at before (null: it was deleted)
     * @param alreadyLive    nothing changed: the tag already pointed at the digest
     */
    public record Restored(List<String> tags, Digest digest, Instant restoredAt, Digest previousDigest,
                           boolean alreadyLive) {
    }

    public Report reimport(Request request, ContentSource source) {
        List<String> warnings = new ArrayList<>();
        ContentSource.SourceManifest fetched = null;
        Digest digest = request.digest();
        String digestFrom = "request";
        if (digest == null) {
            Optional<Digest> fromJournal = lastJournaled(request.repository(), request.tag());
            if (fromJournal.isPresent()) {
                digest = fromJournal.get();
                digestFrom = "journal";
            } else {
                fetched = manifestByTag(request, source);
                digest = Digest.sha256(fetched.content());
                digestFrom = "source";
                warnings.add("the tag " + request.tag() + " has no journal entry here: the digest " + digest
                        + " is what " + source.describe() + " calls " + request.tag());
            }
        }
        Optional<PushProvenance.PushRecord> push = provenance.find(request.repository(), request.tag(), digest);
        checkProvenance(request, digest, push, warnings);
        if (request.restore() && request.tag() != null) {
            refuseIfTagLiveElsewhere(request, digest);
        }
        if (!gcPaused.getAsBoolean()) {
            warnings.add("garbage collection is not paused: content re-imported for a deleted tag is only held for "
                    + "the grace period unless it is restored (pause it: registry gc pause)");
        }

        VerifiedImporter importer = new VerifiedImporter(registry, metadata, blobs, source, request.sourceName(),
                request.actor());
        importer.importManifest(request.repository(), digest, fetched);
        ImportReport content = importer.report();
        Map<String, Object> detail = RecoveryAudit.counts(content);
        detail.put("source", source.describe());
        detail.put("digestFrom", digestFrom);
        push.ifPresent(p -> {
            detail.put("provenanceSeq", p.seq());
            detail.put("provenanceReplica", p.replica());
        });
        if (push.isEmpty()) {
            detail.put("unaudited", true);
        }
        audit.record(RecoveryAudit.REIMPORT, request.requestId(), request.actor(), request.repository(),
                request.tag() != null ? request.tag() : digest.toString(), digest.toString(), detail);
        log.info("re-import repository={} digest={} source={} imported={} present={} failed={} bytes={}",
                request.repository(), digest, source.describe(), content.imported().size(),
                content.alreadyPresent().size(), content.failed().size(), content.bytes());

        Restored restored = null;
        if (request.restore()) {
            if (content.complete()) {
                restored = restore(request, digest, push.orElse(null));
            } else {
                warnings.add("not restored: " + content.failed().size() + " item(s) failed; fix the source and run"
                        + " the re-import again (what is stored stays)");
            }
        }
        return new Report(request.repository(), request.tag(), digest, digestFrom, source.describe(),
                push.orElse(null), warnings, content, restored);
    }

    private Optional<Digest> lastJournaled(String repository, String tag) {
        List<TagEvent> events = metadata.tagHistory(repository, tag);
        return events.isEmpty() ? Optional.empty() : Optional.of(events.get(0).digest());
    }

    private ContentSource.SourceManifest manifestByTag(Request request, ContentSource source) {
        try {
            return source.manifest(request.sourceName(), Reference.ofTag(request.tag()), registry.maxManifestBytes());
        } catch (SourceException e) {
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "the tag " + request.tag()
                    + " has no journal entry here and the source cannot say what it is: " + e.getMessage(),
                    Map.of("repository", request.repository(), "tag", request.tag()));
        }
    }

    private void checkProvenance(Request request, Digest digest, Optional<PushProvenance.PushRecord> push,
                                 List<String> warnings) {
        if (push.isPresent()) {
            if (!push.get().tagMatched()) {
                warnings.add("the audited push (seq " + push.get().seq() + ") named " + push.get().reference()
                        + ", not the tag " + request.tag());
            }
            if (push.get().checkpoint() == null) {
                warnings.add("the audited push (seq " + push.get().seq() + ") is not yet checkpointed");
            }
            return;
        }
        String why = provenance.available()
                ? "NO AUDITED PUSH: the audit log has no successful manifest.put of " + digest + " to "
                  + request.repository() + (request.tag() == null ? "" : " (tag " + request.tag() + ")")
                  + "; this content was never recorded as pushed here"
                : "NO AUDITED PUSH: this registry runs without an audit log, so " + digest + " cannot be checked";
        if (request.requireAudited()) {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("repository", request.repository());
            if (request.tag() != null) {
                detail.put("tag", request.tag());
            }
            detail.put("digest", digest.toString());
            throw new RegistryException(ErrorCode.DIGEST_NOT_AUDITED, why + "; refused (requireAudited), nothing imported",
                    detail);
        }
        warnings.add(why);
    }

    private void refuseIfTagLiveElsewhere(Request request, Digest digest) {
        Optional<StoredManifest> live = metadata.findManifestByTag(request.repository(), request.tag());
        if (live.isPresent() && !live.get().digest().equals(digest)) {
            throw RegistryException.tagExists(request.tag(), live.get().digest());
        }
    }

    private Restored restore(Request request, Digest digest, PushProvenance.PushRecord push) {
        Restored restored;
        if (request.tag() != null) {
            Optional<StoredManifest> live = metadata.findManifestByTag(request.repository(), request.tag());
            if (live.isPresent() && live.get().digest().equals(digest)) {
                return new Restored(List.of(request.tag()), digest, clock.instant(), digest, true);
            }
            TagJournal.Restored done = journal.restore(request.repository(), request.tag(), digest, request.actor());
            restored = new Restored(List.of(request.tag()), digest, done.restoredAt(), done.previousDigest(), false);
        } else {
            TagJournal.RestoredManifest done = journal.undeleteManifest(request.repository(), digest, request.actor());
            restored = new Restored(done.restoredTags(), digest, done.restoredAt(), null, done.restoredTags().isEmpty());
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("tags", restored.tags());
        if (push != null) {
            detail.put("provenanceSeq", push.seq());
            detail.put("provenanceReplica", push.replica());
        }
        if (restored.previousDigest() != null) {
            detail.put("previousDigest", restored.previousDigest().toString());
        }
        audit.record(RecoveryAudit.RESTORE, request.requestId(), request.actor(), request.repository(),
                request.tag() != null ? request.tag() : digest.toString(), digest.toString(), detail);
        return restored;
    }
}
