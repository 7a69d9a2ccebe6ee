package io.stowage.server.e2e;

import java.util.ArrayList;
import java.util.Arrays;
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

    /** Adds to {@code violations} every acknowledged manifest or blob that {@code client}'s registry lost or serves changed. */
    void checkAcknowledged(OciHttpClient client, List<String> violations)
            throws Exception {
        for (PushLedger.PushedManifest manifest : acknowledgedManifests()) {
            for (String reference : List.of(manifest.tag(), manifest.digest())) {
                OciHttpClient.ManifestRead read = client.getManifest(manifest.repository(), reference,
                        OciLayoutBuilder.MANIFEST_MEDIA_TYPE);
                if (read.status() != 200) {
                    violations.add("acknowledged manifest " + manifest.repository() + ":" + reference
                            + " lost: GET answered " + read.status());
                } else if (!Arrays.equals(manifest.content(), read.body())) {
                    violations.add("acknowledged manifest " + manifest.repository() + ":" + reference
                            + " changed: got " + Digests.sha256(read.body()) + ", pushed " + manifest.digest());
                }
            }
        }
        for (PushLedger.PushedBlob blob : acknowledgedBlobs()) {
            OciHttpClient.BlobRead read = client.getBlob(blob.repository(), blob.digest());
            if (read.status() != 200) {
                violations.add("acknowledged blob " + blob + " lost: GET answered " + read.status()
                        + " " + read.errorBody());
            } else if (!blob.digest().equals(read.digest()) || blob.size() != read.length()) {
                violations.add("acknowledged blob " + blob + " served wrong: " + read.length() + " bytes hashing to "
                        + read.digest());
            }
        }
    }

    /** Adds to {@code violations} every attempted-only manifest or blob visible with content other than what was sent. */
    void checkUnacknowledged(OciHttpClient client, List<String> violations)
            throws Exception {
        for (PushLedger.PushedBlob blob : unacknowledgedBlobs()) {
            OciHttpClient.BlobRead read = client.getBlob(blob.repository(), blob.digest());
            if (read.status() == 200 && (!blob.digest().equals(read.digest()) || blob.size() != read.length())) {
                violations.add("unacknowledged blob " + blob + " visible with wrong content: " + read.length()
                        + " bytes hashing to " + read.digest());
            } else if (read.status() != 200 && read.status() != 404) {
                violations.add("unacknowledged blob " + blob + ": GET answered " + read.status()
                        + " (expected 200 or 404) " + read.errorBody());
            }
        }
        for (PushLedger.PushedManifest manifest : unacknowledgedManifests()) {
            OciHttpClient.ManifestRead read = client.getManifest(manifest.repository(), manifest.tag(),
                    OciLayoutBuilder.MANIFEST_MEDIA_TYPE);
            if (read.status() == 200 && !Arrays.equals(manifest.content(), read.body())) {
                violations.add("unacknowledged manifest " + manifest.repository() + ":" + manifest.tag()
                        + " visible with other content " + Digests.sha256(read.body()));
            } else if (read.status() != 200 && read.status() != 404) {
                violations.add("unacknowledged manifest " + manifest.repository() + ":" + manifest.tag()
                        + ": GET answered " + read.status() + " (expected 200 or 404)");
            }
        }
    }

    /** A blob pushed to a repository. */
    record PushedBlob(String repository, String digest, long size) {
    }

    /** A manifest pushed under a tag, with the exact bytes sent and the blobs it references. */
    record PushedManifest(String repository, String tag, String digest, byte[] content, List<PushedBlob> blobs) {
    }
}
