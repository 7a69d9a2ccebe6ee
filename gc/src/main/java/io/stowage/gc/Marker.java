package io.stowage.gc;

import io.stowage.storage.meta.GcSnapshot;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The mark phase as one function of a snapshot: which manifests and blobs must stay.
 *
 * <p>Roots (invariant 3): every tagged manifest; every live manifest pushed within the retention
 * window; every soft-deleted manifest deleted within it; every manifest a journal event named within
 * it (so a deleted tag, and the previous digest of a moved tag, stay restorable). From the roots,
 * marking follows index children and {@code subject} referrers; marked manifests mark their config
 * and layers. Stateless.
 */
final class Marker {
    private Marker() {
    }

    static Result mark(GcSnapshot snapshot, Instant retentionCutoff) {
        long cutoff = retentionCutoff.toEpochMilli();
        Map<String, GcSnapshot.Manifest> byKey = new HashMap<>();
        Map<String, List<String>> referrersBySubject = new HashMap<>();
        for (GcSnapshot.Manifest manifest : snapshot.manifests()) {
            byKey.put(manifest.key(), manifest);
            if (manifest.subject() != null) {
                referrersBySubject.computeIfAbsent(GcSnapshot.key(manifest.repositoryId(), manifest.subject()),
                        k -> new ArrayList<>()).add(manifest.key());
            }
        }
        Map<String, List<String>> children = new HashMap<>();
        Map<String, List<String>> blobsOf = new HashMap<>();
        for (GcSnapshot.Edge edge : snapshot.edges()) {
            String from = GcSnapshot.key(edge.repositoryId(), edge.manifest());
            if ("manifest".equals(edge.kind())) {
                children.computeIfAbsent(from, k -> new ArrayList<>()).add(GcSnapshot.key(edge.repositoryId(), edge.referenced()));
            } else {
                blobsOf.computeIfAbsent(from, k -> new ArrayList<>()).add(edge.referenced());
            }
        }

        Deque<String> pending = new ArrayDeque<>();
        for (GcSnapshot.Manifest manifest : snapshot.manifests()) {
            boolean retained = manifest.deletedAt() == null ? manifest.pushedAt() >= cutoff : manifest.deletedAt() >= cutoff;
            if (retained || snapshot.tagged().contains(manifest.key())) {
                pending.add(manifest.key());
            }
        }
        for (GcSnapshot.JournalMention mention : snapshot.mentions()) {
            if (mention.at() >= cutoff) {
                pending.add(GcSnapshot.key(mention.repositoryId(), mention.digest()));
            }
        }

        Set<String> markedManifests = new HashSet<>();
        Set<String> markedBlobs = new HashSet<>();
        while (!pending.isEmpty()) {
            String key = pending.pop();
            if (!byKey.containsKey(key) || !markedManifests.add(key)) {
                continue;
            }
            markedBlobs.addAll(blobsOf.getOrDefault(key, List.of()));
            pending.addAll(children.getOrDefault(key, List.of()));
            pending.addAll(referrersBySubject.getOrDefault(key, List.of()));
        }
        return new Result(markedManifests, markedBlobs);
    }

    /** Marked manifests (by snapshot key) and marked blob digests. */
    record Result(Set<String> manifests, Set<String> blobs) {
    }
}
