package io.stowage.server.e2e;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The record of a push workload: every blob and manifest a client tried to push, which of them the
 * registry acknowledged (201), and the failures that happened before the test meant to crash the
 * server. After a crash, acknowledged content must all be there and attempted-only content may be
 * absent but never wrong. Blob contents are not kept (only digest and size), so a long run costs
 * little heap. Thread-safe: many pushers write, the test reads after they stopped.
 */
final class PushLedger {

    private final ConcurrentLinkedQueue<PushedBlob> attemptedBlobs = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<PushedBlob> acknowledgedBlobs = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<PushedManifest> attemptedManifests = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<PushedManifest> acknowledgedManifests = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> unexpectedFailures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger acknowledgedManifestCount = new AtomicInteger();

    void blobAttempted(PushedBlob blob) {
        attemptedBlobs.add(blob);
    }

    void blobAcknowledged(PushedBlob blob) {
        acknowledgedBlobs.add(blob);
    }

    void manifestAttempted(PushedManifest manifest) {
        attemptedManifests.add(manifest);
    }

    void manifestAcknowledged(PushedManifest manifest) {
        acknowledgedManifests.add(manifest);
        acknowledgedManifestCount.incrementAndGet();
    }

    /** A push step failed while the server was supposed to be healthy. */
    void unexpectedFailure(String description) {
        unexpectedFailures.add(description);
    }

    int acknowledgedManifestCount() {
        return acknowledgedManifestCount.get();
    }

    List<PushedManifest> acknowledgedManifests() {
        return List.copyOf(acknowledgedManifests);
    }

    /** Manifests tried but never acknowledged. Each tag is pushed once, so the tag identifies the attempt. */
    List<PushedManifest> unacknowledgedManifests() {
        Set<String> acknowledged = new LinkedHashSet<>();
        acknowledgedManifests.forEach(m -> acknowledged.add(m.repository() + ":" + m.tag()));
        List<PushedManifest> result = new ArrayList<>();
        for (PushedManifest m : attemptedManifests) {
            if (!acknowledged.contains(m.repository() + ":" + m.tag())) {
                result.add(m);
            }
        }
        return result;
    }

    /** Distinct acknowledged blobs: a blob pushed twice (a shared layer) is checked once per repository. */
    Set<PushedBlob> acknowledgedBlobs() {
        return new LinkedHashSet<>(acknowledgedBlobs);
    }

    /** Distinct blobs tried but never acknowledged in their repository. */
    Set<PushedBlob> unacknowledgedBlobs() {
        Set<PushedBlob> result = new LinkedHashSet<>(attemptedBlobs);
        result.removeAll(acknowledgedBlobs());
        return result;
    }

    List<String> unexpectedFailures() {
        return List.copyOf(unexpectedFailures);
    }

    /** A blob pushed to a repository. */
    record PushedBlob(String repository, String digest, long size) {
    }

    /** A manifest pushed under a tag, with the exact bytes sent and the blobs it references. */
    record PushedManifest(String repository, String tag, String digest, byte[] content, List<PushedBlob> blobs) {
    }
}
