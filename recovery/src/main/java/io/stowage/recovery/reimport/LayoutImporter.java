package io.stowage.recovery.reimport;

import io.stowage.audit.AuditSink;
import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.MetadataStore;
import io.stowage.storage.meta.StoredManifest;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.Reference;
import io.stowage.storage.oci.RepositoryName;
import io.stowage.storage.registry.RegistryService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code registry import --from DIR}: loads every image an OCI layout's {@code index.json} names,
 * verified like a re-import, and tags it. A {@code repository:tag} ref name (what backups write)
 * keeps its repository unless one is given; a plain tag (what {@code skopeo copy x oci:DIR:tag}
 * writes) needs one. A tag that is live here at another digest is left alone and reported, never
 * moved behind the operator's back. Thread-safe; one call per import.
 */
public final class LayoutImporter {
    private static final Logger log = LoggerFactory.getLogger(LayoutImporter.class);

    private final RegistryService registry;
    private final MetadataStore metadata;
    private final BlobStore blobs;
    private final RecoveryAudit audit;

    public LayoutImporter(RegistryService registry, MetadataStore metadata, BlobStore blobs, AuditSink audit, Clock clock) {
        this.registry = registry;
        this.metadata = metadata;
        this.blobs = blobs;
        this.audit = new RecoveryAudit(audit, clock);
    }

    /**
     * What happened to one image of the layout.
     *
     * @param outcome {@code imported} (something was fetched), {@code present} (all was here), {@code skipped}
     *                (soft-deleted in the source registry), {@code failed}
     * @param reason  why it failed, or null
     */
    public record Image(String repository, String tag, String digest, String outcome, String reason) {
    }

    /** The whole import: one entry per image, and every manifest and blob across them. */
    public record Report(List<Image> images, ImportReport content) {
        public boolean complete() {
            return content.complete() && images.stream().noneMatch(i -> "failed".equals(i.outcome()));
        }
    }

    /**
     * @param repository where every image goes (null: the repository each ref name gives)
     * @param jobId      the import's id, named in its audit events
     */
    public Report run(OciLayoutSource layout, String repository, String actor, String jobId) {
        if (repository != null) {
            RepositoryName.validate(repository);
        }
        List<Image> images = new ArrayList<>();
        // One importer per target repository: within it a layer shared by many images is fetched once.
        Map<String, VerifiedImporter> importers = new TreeMap<>();
        for (OciLayoutSource.Entry entry : layout.entries()) {
            String target = repository != null ? repository : entry.repository();
            String digest = entry.digest().toString();
            if (entry.deleted()) {
                // Soft-deleted where the backup was taken: an import does not make it live again. It stays
                // in the layout, and `registry recover reimport --digest` brings it back when it is wanted.
                images.add(new Image(target, entry.tag(), digest, "skipped",
                        "soft-deleted in the registry the backup was taken of; re-import it by digest if needed"));
                continue;
            }
            if (target == null) {
                images.add(new Image(null, entry.tag(), digest, "failed",
                        "the layout does not say which repository " + (entry.tag() == null ? "this image" : entry.tag())
                                + " belongs to; give --repository"));
                continue;
            }
            audit.ensureWritable(); // an import that cannot be recorded stops before it stores more
            VerifiedImporter importer = importers.computeIfAbsent(target, t -> new VerifiedImporter(registry, metadata,
                    blobs, layout, entry.repository() != null ? entry.repository() : t, actor));
            int importedBefore = importer.report().imported().size();
            Image image = importOne(layout, importer, target, entry, actor);
            if (image == null) {
                image = new Image(target, entry.tag(), digest,
                        importer.report().imported().size() > importedBefore ? "imported" : "present", null);
            }
            images.add(image);
            Map<String, Object> detail = new TreeMap<>();
            detail.put("source", layout.describe());
            detail.put("outcome", image.outcome());
            if (jobId != null) {
                detail.put("importId", jobId);
            }
            audit.record(RecoveryAudit.IMPORT, null, actor, target, entry.tag(), digest, detail);
        }
        ImportReport content = merge(importers.values());
        log.info("layout import from={} images={} imported={} failed={} bytes={}", layout.root(), images.size(),
                content.imported().size(), content.failed().size(), content.bytes());
        return new Report(images, content);
    }

    /** Imports and tags one image; null when it worked, else the failed image. */
    private Image importOne(OciLayoutSource layout, VerifiedImporter importer, String target, OciLayoutSource.Entry entry,
                            String actor) {
        String digest = entry.digest().toString();
        if (!importer.importManifest(target, entry.digest(), null)) {
            return new Image(target, entry.tag(), digest, "failed", "its content did not import (see failed)");
        }
        if (entry.tag() == null) {
            return null;
        }
        Optional<StoredManifest> live = metadata.findManifestByTag(target, entry.tag());
        if (live.isPresent()) {
            return live.get().digest().equals(entry.digest()) ? null
                    : new Image(target, entry.tag(), digest, "failed", "the tag is live at " + live.get().digest()
                    + "; not moved (delete it first, or import into another repository)");
        }
        try {
            ContentSource.SourceManifest manifest = layout.manifest(target, Reference.ofDigest(entry.digest()),
                    registry.maxManifestBytes());
            if (!Digest.of(entry.digest().algorithm(), manifest.content()).equals(entry.digest())) {
                return new Image(target, entry.tag(), digest, "failed", "the manifest changed in the layout during the import");
            }
            registry.putManifest(target, Reference.ofTag(entry.tag()), manifest.mediaType(), manifest.content(),
                    List.of(), actor);
            return null;
        } catch (SourceException | RegistryException e) {
            return new Image(target, entry.tag(), digest, "failed", "not tagged: " + e.getMessage());
        }
    }

    private static ImportReport merge(Iterable<VerifiedImporter> importers) {
        List<ImportReport.Item> imported = new ArrayList<>();
        List<ImportReport.Item> present = new ArrayList<>();
        List<ImportReport.Item> linked = new ArrayList<>();
        List<ImportReport.Item> failed = new ArrayList<>();
        long bytes = 0;
        for (VerifiedImporter importer : importers) {
            ImportReport report = importer.report();
            imported.addAll(report.imported());
            present.addAll(report.alreadyPresent());
            linked.addAll(report.linked());
            failed.addAll(report.failed());
            bytes += report.bytes();
        }
        return new ImportReport(imported, present, linked, failed, bytes);
    }
}
