package io.stowage.recovery.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stowage.recovery.layout.OciLayout;
import io.stowage.storage.meta.BackupSnapshot;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.MediaTypes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The layout's {@code index.json} for one snapshot: one descriptor per live tag, named
 * {@code repository:tag} in {@code org.opencontainers.image.ref.name} (what {@code skopeo copy
 * oci:DIR:team/app:v1} looks up); then one per manifest of a repository that no tag of it points
 * at, with the repository but no ref name (index children, referrers, untagged pushes), so a
 * restore has them; then one per soft-deleted manifest, also marked {@link OciLayout#DELETED_ANNOTATION}
 * with the time of its deletion, so an undelete still works after a restore. Tombstones are left
 * out: their blobs are gone from the registry. Stateless.
 */
final class IndexDocument {
    /** When the manifest was soft-deleted in the registry (RFC 3339); absent for live manifests. */
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Counts of what the index names. */
    record Counts(int tags, int untagged, int deleted) {
    }

    private final byte[] bytes;
    private final Counts counts;

    private IndexDocument(byte[] bytes, Counts counts) {
        this.bytes = bytes;
        this.counts = counts;
    }

    static IndexDocument of(BackupSnapshot snapshot) {
        Map<String, BackupSnapshot.Manifest> byKey = new HashMap<>();
        for (BackupSnapshot.Manifest manifest : snapshot.manifests()) {
            byKey.put(key(manifest.repository(), manifest.digest()), manifest);
        }
        List<Map<String, Object>> descriptors = new ArrayList<>();
        Set<String> tagged = new HashSet<>();
        int tags = 0;
        for (BackupSnapshot.LiveTag tag : snapshot.tags()) {
            BackupSnapshot.Manifest manifest = byKey.get(key(tag.repository(), tag.digest()));
            if (manifest == null) {
                continue; // a tag always points at a stored manifest; nothing to describe otherwise
            }
            Map<String, String> annotations = new LinkedHashMap<>();
            annotations.put(OciLayout.REF_NAME_ANNOTATION, OciLayout.refName(tag.repository(), tag.tag()));
            annotations.put(OciLayout.REPOSITORY_ANNOTATION, tag.repository());
            annotations.put(OciLayout.TAG_ANNOTATION, tag.tag());
            descriptors.add(descriptor(manifest, annotations));
            tagged.add(key(tag.repository(), tag.digest()));
            tags++;
        }
        int untagged = 0;
        int deleted = 0;
        for (boolean wantDeleted : new boolean[] {false, true}) {
            for (BackupSnapshot.Manifest manifest : snapshot.manifests()) {
                boolean isDeleted = manifest.deletedAt() != null;
                if (isDeleted != wantDeleted || tagged.contains(key(manifest.repository(), manifest.digest()))) {
                    continue;
                }
                Map<String, String> annotations = new LinkedHashMap<>();
                annotations.put(OciLayout.REPOSITORY_ANNOTATION, manifest.repository());
                if (isDeleted) {
                    annotations.put(OciLayout.DELETED_ANNOTATION, BackupReport.time(manifest.deletedAt()));
                    deleted++;
                } else {
                    untagged++;
                }
                descriptors.add(descriptor(manifest, annotations));
            }
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.put("manifests", descriptors);
        try {
            return new IndexDocument(JSON.writeValueAsBytes(index), new Counts(tags, untagged, deleted));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("index.json not serialisable", e);
        }
    }

    byte[] bytes() {
        return bytes;
    }

    Counts counts() {
        return counts;
    }

    private static Map<String, Object> descriptor(BackupSnapshot.Manifest manifest, Map<String, String> annotations) {
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("mediaType", manifest.mediaType());
        descriptor.put("digest", manifest.digest().toString());
        descriptor.put("size", manifest.size());
        descriptor.put("annotations", annotations);
        return descriptor;
    }

    private static String key(String repository, Digest digest) {
        return repository + "@" + digest;
    }
}
