package io.stowage.recovery.scrub;

import io.stowage.storage.oci.Digest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a run has found and done so far. The run's thread adds to it; a status request reads a
 * {@link #snapshot} from another thread, so every method is synchronized. A digest is listed once
 * per kind (a layer shared by a hundred images is one finding, and appears in each affected tag).
 */
final class ScrubFindings {
    private final String id;
    private final String actor;
    private final boolean dryRun;
    private final String repairFrom;
    private final long maxBytesPerSecond;
    private final Instant startedAt;
    private long blobsChecked;
    private long bytesHashed;
    private long manifestsChecked;
    private final Map<String, ScrubReport.Finding> corrupt = new LinkedHashMap<>();
    private final Map<String, ScrubReport.Finding> missing = new LinkedHashMap<>();
    private final Set<Digest> corruptBlobs = new HashSet<>();
    private final List<ScrubReport.Quarantined> quarantined = new ArrayList<>();
    private final List<ScrubReport.Repair> repaired = new ArrayList<>();
    private final List<ScrubReport.Repair> repairFailed = new ArrayList<>();
    private List<ScrubReport.Affected> affected = new ArrayList<>();

    ScrubFindings(String id, String actor, boolean dryRun, String repairFrom, long maxBytesPerSecond, Instant startedAt) {
        this.id = id;
        this.actor = actor;
        this.dryRun = dryRun;
        this.repairFrom = repairFrom;
        this.maxBytesPerSecond = maxBytesPerSecond;
        this.startedAt = startedAt;
    }

    String id() {
        return id;
    }

    String actor() {
        return actor;
    }

    synchronized void blobChecked(long bytes) {
        blobsChecked++;
        bytesHashed += bytes;
    }

    synchronized void manifestChecked() {
        manifestsChecked++;
    }

    synchronized void corruptBlob(Digest digest, long size, Digest actual, String reason) {
        corruptBlobs.add(digest);
        corrupt.putIfAbsent("blob:" + digest, new ScrubReport.Finding(digest.toString(), "blob", null, size,
                actual == null ? null : actual.toString(), reason));
    }

    synchronized boolean isCorruptBlob(Digest digest) {
        return corruptBlobs.contains(digest);
    }

    synchronized void corruptManifest(String repository, Digest digest, long size, Digest actual) {
        corrupt.putIfAbsent("manifest:" + repository + "@" + digest, new ScrubReport.Finding(digest.toString(),
                "manifest", repository, size, actual.toString(), "the stored manifest bytes hash to " + actual));
    }

    synchronized void missingBlob(String repository, Digest digest, long declaredSize, String reason) {
        missing.putIfAbsent("blob:" + digest, new ScrubReport.Finding(digest.toString(), "blob", repository,
                declaredSize, null, reason));
    }

    synchronized void missingManifest(String repository, Digest digest) {
        missing.putIfAbsent("manifest:" + repository + "@" + digest, new ScrubReport.Finding(digest.toString(),
                "manifest", repository, -1, null, "an index references it and the repository has no such manifest"));
    }

    synchronized void quarantined(Digest digest, String path, String reason) {
        quarantined.add(new ScrubReport.Quarantined(digest.toString(), path, reason));
    }

    synchronized void repaired(String digest, String kind, String repository, String note) {
        repaired.add(new ScrubReport.Repair(digest, kind, repository, note));
    }

    synchronized void repairFailed(String digest, String kind, String repository, String note) {
        repairFailed.add(new ScrubReport.Repair(digest, kind, repository, note));
    }

    synchronized void affected(ScrubReport.Affected entry) {
        affected.add(entry);
    }

    synchronized List<ScrubReport.Affected> affected() {
        return List.copyOf(affected);
    }

    synchronized void replaceAffected(List<ScrubReport.Affected> entries) {
        affected = new ArrayList<>(entries);
    }

    synchronized List<ScrubReport.Finding> corrupt() {
        return List.copyOf(corrupt.values());
    }

    synchronized List<ScrubReport.Finding> missing() {
        return List.copyOf(missing.values());
    }

    /** The report as of now; {@code finishedAt} and {@code outcome} null while the run is under way. */
    synchronized ScrubReport snapshot(Instant finishedAt, String outcome, String error) {
        return new ScrubReport(id, actor, dryRun, repairFrom, maxBytesPerSecond, startedAt, finishedAt, outcome, error,
                blobsChecked, bytesHashed, manifestsChecked, List.copyOf(corrupt.values()), List.copyOf(missing.values()),
                quarantined, repaired, repairFailed, affected);
    }
}
