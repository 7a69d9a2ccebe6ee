package io.stowage.recovery.scrub;

import io.stowage.recovery.jobs.LeaseCheck;
import io.stowage.recovery.reimport.DescriptorSizes;
import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.meta.ManifestEntry;
import io.stowage.storage.meta.MetadataStore;
import io.stowage.storage.oci.Digest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The second half of a run: every manifest row (live and soft-deleted), page by page. Its stored
 * bytes must hash to its digest; each blob it references must be in the blob store, not corrupt, and
 * of the size it declares; each child manifest must have a row. The rows come ordered by repository,
 * so one repository's manifests are in memory at a time: when the repository is done, what each
 * index's children lack is added to the index, and every tag (or untagged top manifest) that lacks
 * something becomes an {@link ScrubReport.Affected}. Used by one thread.
 */
final class ManifestPass {
    private static final int PAGE = 32;

    private final MetadataStore metadata;
    private final BlobStore blobs;
    private final ScrubAudit audit;
    private final LeaseCheck lease;

    /** @param lease asked before each manifest: a run whose lease another replica took checks no further */
    ManifestPass(MetadataStore metadata, BlobStore blobs, ScrubAudit audit, LeaseCheck lease) {
        this.metadata = metadata;
        this.blobs = blobs;
        this.audit = audit;
        this.lease = lease;
    }

    /**
     * What a repair would have to bring back.
     *
     * @param incomplete  per repository, the manifests that lack a blob or a child manifest of their own
     * @param corruptRows per repository, the manifest rows whose stored bytes do not hash to their digest
     */
    record Damage(Map<String, Set<Digest>> incomplete, Map<String, Set<Digest>> corruptRows) {
        boolean isEmpty() {
            return incomplete.isEmpty() && corruptRows.isEmpty();
        }
    }

    /** One manifest of the repository being walked, with what it lacks itself. */
    private record Node(Digest digest, boolean deleted, List<String> tags, List<Digest> children,
                        Set<String> corrupt, Set<String> missing) {
    }

    Damage run(ScrubFindings run) throws IOException, InterruptedException {
        Damage damage = new Damage(new LinkedHashMap<>(), new LinkedHashMap<>());
        String repository = null;
        Map<Digest, Node> nodes = new LinkedHashMap<>();
        ManifestEntry.Cursor cursor = null;
        while (true) {
            List<ManifestEntry> page = metadata.listManifests(cursor, PAGE);
            for (ManifestEntry entry : page) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("scrub stopped");
                }
                lease.ensureHeld();
                if (!entry.repository().equals(repository)) {
                    finishRepository(run, repository, nodes, damage);
                    repository = entry.repository();
                    nodes = new LinkedHashMap<>();
                }
                nodes.put(entry.digest(), check(run, entry, damage));
                run.manifestChecked();
            }
            if (page.size() < PAGE) {
                break;
            }
            cursor = page.get(page.size() - 1).cursor();
        }
        finishRepository(run, repository, nodes, damage);
        return damage;
    }

    private Node check(ScrubFindings run, ManifestEntry entry, Damage damage) throws IOException {
        Set<String> corrupt = new TreeSet<>();
        Set<String> missing = new TreeSet<>();
        Digest actual = Digest.of(entry.digest().algorithm(), entry.content());
        Map<Digest, Long> declared = Map.of();
        if (!actual.equals(entry.digest())) {
            run.corruptManifest(entry.repository(), entry.digest(), entry.content().length, actual);
            audit.corruptManifest(run, entry.repository(), entry.digest().toString(), actual.toString());
            corrupt.add(entry.digest().toString());
            damage.corruptRows().computeIfAbsent(entry.repository(), r -> new LinkedHashSet<>()).add(entry.digest());
        } else {
            declared = DescriptorSizes.of(entry.content());
        }
        for (Digest blob : entry.blobs()) {
            long declaredSize = declared.getOrDefault(blob, -1L);
            if (run.isCorruptBlob(blob)) {
                corrupt.add(blob.toString());
                continue;
            }
            Optional<Long> stored = blobs.size(blob);
            if (stored.isEmpty()) {
                run.missingBlob(entry.repository(), blob, declaredSize, "referenced by " + entry.repository() + "@"
                        + entry.digest() + " and not in the blob store");
                missing.add(blob.toString());
            } else if (declaredSize >= 0 && stored.get() != declaredSize) {
                run.corruptBlob(blob, stored.get(), null, "stored with " + stored.get() + " bytes; "
                        + entry.repository() + "@" + entry.digest() + " declares " + declaredSize);
                corrupt.add(blob.toString());
            }
        }
        boolean lacksABlob = !missing.isEmpty() || entry.blobs().stream().anyMatch(b -> corrupt.contains(b.toString()));
        if (lacksABlob) {
            damage.incomplete().computeIfAbsent(entry.repository(), r -> new LinkedHashSet<>()).add(entry.digest());
        }
        return new Node(entry.digest(), entry.deleted(), entry.tags(), entry.children(), corrupt, missing);
    }

    private void finishRepository(ScrubFindings run, String repository, Map<Digest, Node> nodes, Damage damage) {
        if (repository == null) {
            return;
        }
        Set<Digest> children = new HashSet<>();
        for (Node node : nodes.values()) {
            for (Digest child : node.children()) {
                children.add(child);
                if (!nodes.containsKey(child)) {
                    run.missingManifest(repository, child);
                    node.missing().add(child.toString());
                    damage.incomplete().computeIfAbsent(repository, r -> new LinkedHashSet<>()).add(node.digest());
                }
            }
        }
        Map<Digest, Lacks> memo = new HashMap<>();
        for (Node node : nodes.values()) {
            boolean top = !node.tags().isEmpty() || !children.contains(node.digest());
            if (!top) {
                continue;
            }
            Lacks lacks = lacks(node, nodes, memo, new HashSet<>());
            if (lacks.isEmpty()) {
                continue;
            }
            List<String> tags = node.tags().isEmpty() ? java.util.Collections.singletonList(null) : node.tags();
            for (String tag : tags) {
                run.affected(new ScrubReport.Affected(repository, tag, node.digest().toString(), node.deleted(),
                        new ArrayList<>(lacks.corrupt()), new ArrayList<>(lacks.missing()), false));
            }
        }
    }

    /** What a manifest lacks, its own and its children's, in sorted sets. */
    private record Lacks(Set<String> corrupt, Set<String> missing) {
        boolean isEmpty() {
            return corrupt.isEmpty() && missing.isEmpty();
        }
    }

    private static Lacks lacks(Node node, Map<Digest, Node> nodes, Map<Digest, Lacks> memo, Set<Digest> visiting) {
        Lacks known = memo.get(node.digest());
        if (known != null) {
            return known;
        }
        Lacks lacks = new Lacks(new TreeSet<>(node.corrupt()), new TreeSet<>(node.missing()));
        if (visiting.add(node.digest())) {
            for (Digest child : node.children()) {
                Node childNode = nodes.get(child);
                if (childNode != null) {
                    Lacks childLacks = lacks(childNode, nodes, memo, visiting);
                    lacks.corrupt().addAll(childLacks.corrupt());
                    lacks.missing().addAll(childLacks.missing());
                }
            }
            visiting.remove(node.digest());
        }
        memo.put(node.digest(), lacks);
        return lacks;
    }
}
