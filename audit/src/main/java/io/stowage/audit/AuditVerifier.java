package io.stowage.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks a log directory with nothing but the public key: every line canonical and hashed onto
 * the one before, sequence numbers gap-free across segments, segment files contiguous (or their
 * removal accounted for by an audited purge), every checkpoint's signature and statement
 * correct, every segment but the newest sealed, no record after the newest checkpoint, and the
 * log reaching at least as far as {@code head.json} says it did, and every record of the one
 * replica the chain belongs to. Stops at the first problem.
 *
 * <p>A chain may start with records that name no replica (written before chains had replicas,
 * then continued by one, see docs/audit.md); once a record names its replica, every later
 * one must name the same.
 */
public final class AuditVerifier {
    private final VerifyingKey key;
    private final boolean allowUnsignedTail;

    /**
     * @param allowUnsignedTail accept records after the newest checkpoint, and a last line still
     *                          being written, for a log verified or copied while the registry writes
     *                          it; a tail cut after the newest checkpoint then goes unnoticed
     *                          (head.json still catches one cut before it)
     */
    public AuditVerifier(VerifyingKey key, boolean allowUnsignedTail) {
        this.key = key;
        this.allowUnsignedTail = allowUnsignedTail;
    }

    /** Verifies the chain in {@code dir}, whichever replica's it is. */
    public VerifyReport verify(Path dir) throws IOException {
        return new Run(dir, null).verify();
    }

    /** Verifies the chain in {@code dir}, which must be that of {@code replica} (null: no replica expected). */
    public VerifyReport verify(Path dir, String replica) throws IOException {
        return new Run(dir, replica).verify();
    }

    /** One verification pass; holds the chain state as it walks the segments. */
    private final class Run {
        private final Path dir;
        /** The replica the chain must belong to, or null to accept whichever its records name. */
        private final String chainReplica;
        /** The replica named by the records so far; null while they name none. */
        private String seenReplica;
        private final Map<Long, String> checkpointHashes = new HashMap<>();
        private final Map<String, VerifyReport.Sighting> otherReplicas = new TreeMap<>();
        private int segments;
        private long records;
        private Long expectedSeq;
        private String prevHash;
        private AuditRecord last;
        private Map<String, Object> lastCheckpoint;
        private long lastCheckpointSeq;
        /** When the oldest segments are gone: the first present record, to be matched by a purge record. */
        private AuditRecord firstAfterPurge;
        private long firstPresentNumber;
        private boolean purgeAccounted;

        Run(Path dir, String chainReplica) {
            this.dir = dir;
            this.chainReplica = chainReplica;
        }

        /** {@code head.json} as it was before the walk, or null: read first, so a live log's newer head is never compared with segments read earlier. */
        private byte[] headBytes;

        VerifyReport verify() throws IOException {
            Path headFile = dir.resolve(SegmentFiles.HEAD_FILE);
            try {
                headBytes = Files.readAllBytes(headFile);
            } catch (java.nio.file.NoSuchFileException e) {
                headBytes = null;
            }
            List<Path> files = SegmentFiles.list(dir);
            if (files.isEmpty()) {
                return failed(SegmentFiles.name(1), 1, "no audit segments in " + dir);
            }
            firstPresentNumber = SegmentFiles.number(files.get(0).getFileName().toString());
            if (firstPresentNumber == 1) {
                expectedSeq = 1L;
                prevHash = AuditRecord.GENESIS_HASH;
            }
            long expectedNumber = firstPresentNumber;
            for (int i = 0; i < files.size(); i++) {
                Path file = files.get(i);
                long number = SegmentFiles.number(file.getFileName().toString());
                if (number != expectedNumber) {
                    return failed(SegmentFiles.name(expectedNumber), expectedSeq == null ? 0 : expectedSeq,
                            "segment " + SegmentFiles.name(expectedNumber) + " is missing");
                }
                expectedNumber++;
                segments++;
                VerifyReport.Problem problem = segment(file, i == files.size() - 1);
                if (problem != null) {
                    return report(problem);
                }
            }
            String segmentName = files.get(files.size() - 1).getFileName().toString();
            if (firstAfterPurge != null && !purgeAccounted) {
                return failed(SegmentFiles.name(firstPresentNumber), firstAfterPurge.seq(), "segments before "
                        + SegmentFiles.name(firstPresentNumber) + " are missing and no audited purge accounts for them");
            }
            if (last == null) {
                return failed(segmentName, expectedSeq == null ? 0 : expectedSeq, "the log holds no records");
            }
            if (!allowUnsignedTail && lastCheckpointSeq != last.seq()) {
                return failed(segmentName, lastCheckpointSeq + 1, "records " + (lastCheckpointSeq + 1) + " to "
                        + last.seq() + " are not covered by a signed checkpoint: the tail was cut or the log was "
                        + "copied while being written");
            }
            return head(segmentName);
        }

        /** Compares the log with {@code head.json}, the newest checkpoint as the registry last published it. */
        private VerifyReport head(String lastSegment) throws IOException {
            if (headBytes != null) {
                byte[] bytes = headBytes;
                String text = new String(bytes, StandardCharsets.UTF_8).strip();
                AuditRecord head;
                try {
                    head = RecordCodec.fromMap(RecordCodec.parse(text.getBytes(StandardCharsets.UTF_8)));
                    if (!signatureValid(head)) {
                        return failed(SegmentFiles.HEAD_FILE, head.seq(), "head.json carries an invalid signature");
                    }
                } catch (MalformedRecordException e) {
                    return failed(SegmentFiles.HEAD_FILE, 0, "head.json is not a checkpoint record: " + e.getMessage());
                }
                if (head.seq() > last.seq()) {
                    return failed(lastSegment, last.seq() + 1, "the log ends at seq " + last.seq()
                            + " but its newest published checkpoint (head.json) covers up to seq " + head.seq()
                            + ": records were cut from the tail");
                }
                String hashThere = checkpointHashes.get(head.seq());
                if (hashThere != null && !hashThere.equals(head.hash())) {
                    return failed(lastSegment, head.seq(), "the checkpoint at seq " + head.seq()
                            + " differs from the one published in head.json");
                }
            }
            return report(null);
        }

        private VerifyReport.Problem segment(Path file, boolean newest) throws IOException {
            String name = file.getFileName().toString();
            long[] segmentFirst = {-1};
            long[] count = {0};
            boolean[] sealed = {false};
            VerifyReport.Problem[] problem = {null};
            SegmentFiles.readLines(file, 0, line -> {
                long at = expectedSeq == null ? 0 : expectedSeq;
                if (!line.complete()) {
                    if (!(newest && allowUnsignedTail)) {
                        problem[0] = new VerifyReport.Problem(name, at, "the last line is incomplete: the tail was cut");
                    }
                    // else: a record being written while a live log is verified
                    return false;
                }
                if (sealed[0]) {
                    problem[0] = new VerifyReport.Problem(name, at, "a record follows the checkpoint that sealed the segment");
                    return false;
                }
                problem[0] = record(name, line.bytes(), segmentFirst, count, sealed);
                return problem[0] == null;
            });
            if (problem[0] != null) {
                return problem[0];
            }
            if (!newest && !sealed[0]) {
                return new VerifyReport.Problem(name, expectedSeq == null ? 0 : expectedSeq - 1,
                        "the segment is not sealed by a checkpoint, yet a newer segment follows it");
            }
            return null;
        }

        private VerifyReport.Problem record(String segment, byte[] line, long[] segmentFirst, long[] count, boolean[] sealed) {
            long at = expectedSeq == null ? 0 : expectedSeq;
            TreeMap<String, Object> fields;
            AuditRecord record;
            try {
                fields = RecordCodec.parse(line);
                record = RecordCodec.fromMap(fields);
            } catch (MalformedRecordException e) {
                return new VerifyReport.Problem(segment, at, "line of record " + at + " is not a well-formed record ("
                        + e.getMessage() + "): it was altered");
            }
            if (expectedSeq != null && record.seq() != expectedSeq) {
                return new VerifyReport.Problem(segment, expectedSeq, "expected seq " + expectedSeq + " but found "
                        + record.seq() + ": a record was removed, inserted or moved");
            }
            if (prevHash != null && !prevHash.equals(record.prevHash())) {
                return new VerifyReport.Problem(segment, record.seq(), "prevHash does not match the hash of record "
                        + (record.seq() - 1) + ": a record was removed, inserted or moved");
            }
            if (!Arrays.equals(RecordCodec.canonical(fields), line)) {
                return new VerifyReport.Problem(segment, record.seq(), "the line is not in canonical form: it was altered");
            }
            VerifyReport.Problem foreign = replica(segment, record);
            if (foreign != null) {
                return foreign;
            }
            boolean checkpoint = AuditEntry.CHECKPOINT.equals(record.entry().kind());
            if (checkpoint) {
                VerifyReport.Problem bad = checkpoint(segment, record, segmentFirst[0], count[0]);
                if (bad != null) {
                    return bad;
                }
            }
            Map<String, Object> unhashed = new TreeMap<>(fields);
            unhashed.remove("hash");
            String expectedHash = RecordCodec.hash(record.prevHash(), RecordCodec.canonical(unhashed));
            if (!expectedHash.equals(record.hash())) {
                return new VerifyReport.Problem(segment, record.seq(), "the hash does not match the record's content: "
                        + "it was altered");
            }
            if (firstAfterPurge == null && expectedSeq == null) {
                firstAfterPurge = record;
            }
            if ("audit.purge".equals(record.entry().action())) {
                notePurge(record);
            }
            if (AuditChains.REPLICAS_EVENT.equals(record.entry().action())) {
                noteReplicas(record);
            }
            if (checkpoint) {
                Checkpoint statement = Checkpoint.fromDetail(record.entry().detail());
                sealed[0] = statement.sealed();
                lastCheckpoint = statement.statement();
                lastCheckpointSeq = record.seq();
                checkpointHashes.put(record.seq(), record.hash());
            }
            if (segmentFirst[0] < 0) {
                segmentFirst[0] = record.seq();
            }
            count[0]++;
            records++;
            expectedSeq = record.seq() + 1;
            prevHash = record.hash();
            last = record;
            return null;
        }

        /** A record of another replica than the chain's, or one naming none after records that did. */
        private VerifyReport.Problem replica(String segment, AuditRecord record) {
            String named = record.replica();
            if (named == null) {
                return seenReplica == null ? null : new VerifyReport.Problem(segment, record.seq(), "the record names "
                        + "no replica, yet records of replica '" + seenReplica + "' come before it: it was altered");
            }
            if (chainReplica != null && !chainReplica.equals(named)) {
                return new VerifyReport.Problem(segment, record.seq(), "the record belongs to replica '" + named
                        + "', but this is the chain of replica '" + chainReplica + "'");
            }
            if (seenReplica != null && !seenReplica.equals(named)) {
                return new VerifyReport.Problem(segment, record.seq(), "the record belongs to replica '" + named
                        + "', but the records before it to '" + seenReplica + "'");
            }
            seenReplica = named;
            return null;
        }

        private VerifyReport.Problem checkpoint(String segment, AuditRecord record, long segmentFirst, long count) {
            Checkpoint statement;
            try {
                statement = Checkpoint.fromDetail(record.entry().detail());
            } catch (MalformedRecordException e) {
                return new VerifyReport.Problem(segment, record.seq(), e.getMessage());
            }
            if (!signatureValid(record)) {
                return new VerifyReport.Problem(segment, record.seq(), "the checkpoint's signature does not verify "
                        + "with the public key");
            }
            long first = segmentFirst < 0 ? record.seq() : segmentFirst;
            boolean matches = segment.equals(statement.segment()) && statement.firstSeq() == first
                    && statement.lastSeq() == record.seq() - 1 && statement.count() == count
                    && statement.lastHash().equals(record.prevHash())
                    && java.util.Objects.equals(statement.replica(), record.replica());
            if (!matches) {
                return new VerifyReport.Problem(segment, record.seq(), "the checkpoint's signed statement " + statement
                        + " does not describe the records before it");
            }
            return null;
        }

        private boolean signatureValid(AuditRecord record) {
            Map<String, Object> detail = record.entry().detail();
            Checkpoint statement = Checkpoint.fromDetail(detail);
            byte[] signature = Checkpoint.signature(detail);
            return signature != null && key.verify(statement.signedBytes(), signature);
        }

        private void noteReplicas(AuditRecord record) {
            Map<String, Object> detail = record.entry().detail();
            if (detail != null && detail.get("replicas") instanceof Map<?, ?> seen) {
                seen.forEach((replica, keyId) -> otherReplicas.put(String.valueOf(replica),
                        new VerifyReport.Sighting(String.valueOf(keyId), record.seq())));
            }
        }

        /** An audited purge accounts for missing oldest segments when it names exactly where the log now starts. */
        private void notePurge(AuditRecord purge) {
            Map<String, Object> detail = purge.entry().detail();
            if (firstAfterPurge == null || detail == null) {
                return;
            }
            Object throughSeq = detail.get("throughSeq");
            Object throughHash = detail.get("throughHash");
            Object throughSegment = detail.get("throughSegment");
            if (Long.valueOf(firstAfterPurge.seq() - 1).equals(throughSeq)
                    && firstAfterPurge.prevHash().equals(throughHash)
                    && SegmentFiles.name(firstPresentNumber - 1).equals(throughSegment)) {
                purgeAccounted = true;
            }
        }

        private VerifyReport failed(String segment, long seq, String reason) {
            return report(new VerifyReport.Problem(segment, seq, reason));
        }

        private VerifyReport report(VerifyReport.Problem problem) {
            return new VerifyReport(problem == null, segments, records, last == null ? 0 : last.seq(), lastCheckpoint,
                    problem, otherReplicas);
        }
    }
}
