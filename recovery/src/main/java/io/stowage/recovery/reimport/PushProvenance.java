package io.stowage.recovery.reimport;

import io.stowage.audit.AuditRecord;
import io.stowage.audit.Checkpoint;
import io.stowage.audit.MalformedRecordException;
import io.stowage.audit.index.AuditIndex;
import io.stowage.audit.index.AuditPage;
import io.stowage.audit.index.AuditQuery;
import io.stowage.storage.oci.Digest;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Answers "did this registry ever accept a push of this digest to this repository (and tag), and
 * is that record sealed under a signed checkpoint?" from the audit log's index, before re-imported
 * content is restored: what comes back from a backup or another registry is then known to be
 * exactly what was pushed here, not merely something that hashes to what someone asked for.
 * With several replicas the push may have gone to any of them: every replica's chain is asked,
 * and the earliest push found (under the tag asked for, if any) is the answer, with its replica.
 * Thread-safe (the indexes are).
 */
public final class PushProvenance {
    static final String PUSH_ACTION = "manifest.put";
    private static final int PAGE = AuditQuery.MAX_LIMIT;

    /** The index of each replica's chain by replica id, asked anew each time (replicas come and go); null without an audit log. */
    private final Supplier<Map<String, AuditIndex>> chains;

    /** @param chains the audit index of each replica's chain by replica id, or null when the registry runs without an audit log */
    public PushProvenance(Supplier<Map<String, AuditIndex>> chains) {
        this.chains = chains;
    }

    public boolean available() {
        return chains != null;
    }

    /**
     * The first successful {@code manifest.put} of {@code digest} to {@code repository}, preferring
     * one under {@code tag} (when given) over a push by digest or under another tag.
     */
    public Optional<PushRecord> find(String repository, String tag, Digest digest) {
        if (chains == null) {
            return Optional.empty();
        }
        PushRecord best = null;
        for (Map.Entry<String, AuditIndex> chain : chains.get().entrySet()) {
            PushRecord found = find(chain.getKey(), chain.getValue(), repository, tag, digest);
            if (found != null && (best == null || better(found, best))) {
                best = found;
            }
        }
        return Optional.ofNullable(best);
    }

    /** A push under the tag asked for beats one that is not; then the earlier one. */
    private static boolean better(PushRecord candidate, PushRecord best) {
        if (candidate.tagMatched() != best.tagMatched()) {
            return candidate.tagMatched();
        }
        return candidate.time().isBefore(best.time());
    }

    private PushRecord find(String replica, AuditIndex index, String repository, String tag, Digest digest) {
        AuditQuery query = AuditQuery.all().withRepository(repository).withAction(PUSH_ACTION).withStatus(201)
                .withLimit(PAGE);
        AuditRecord anyTag = null;
        while (true) {
            AuditPage page = index.query(query);
            for (AuditRecord record : page.records()) {
                if (!digest.toString().equals(record.entry().digest())) {
                    continue;
                }
                if (tag == null || tag.equals(record.entry().reference())) {
                    return describe(replica, index, record, true);
                }
                if (anyTag == null) {
                    anyTag = record;
                }
            }
            if (page.next() == null) {
                break;
            }
            query = query.withAfterSeq(page.next());
        }
        return anyTag == null ? null : describe(replica, index, anyTag, tag == null);
    }

    private PushRecord describe(String replica, AuditIndex index, AuditRecord record, boolean tagMatched) {
        return new PushRecord(record.seq(), record.entry().time(), record.entry().actor(), record.entry().requestId(),
                record.entry().reference(), tagMatched, checkpointCovering(index, record.seq()), replica);
    }

    /** The first checkpoint after {@code seq} signs it (it covers its segment up to itself); null if none yet. */
    private static CheckpointRef checkpointCovering(AuditIndex index, long seq) {
        AuditPage page = index.query(AuditQuery.all().withAction(Checkpoint.ACTION).withAfterSeq(seq).withLimit(1));
        if (page.records().isEmpty()) {
            return null;
        }
        AuditRecord record = page.records().get(0);
        try {
            Checkpoint checkpoint = Checkpoint.fromDetail(record.entry().detail());
            if (checkpoint.firstSeq() > seq || checkpoint.lastSeq() < seq) {
                return null;
            }
            return new CheckpointRef(record.seq(), record.entry().time(), checkpoint.segment(), checkpoint.sealed());
        } catch (MalformedRecordException e) {
            return null;
        }
    }

    /**
     * The audited push.
     *
     * @param reference  the tag or digest the push named
     * @param tagMatched false when a tag was asked for but only a push by digest or under another tag recorded it
     * @param checkpoint the signed checkpoint covering the record, or null when none has been written since
     * @param replica    the replica whose chain holds the record ({@code seq} counts in that chain)
     */
    public record PushRecord(long seq, Instant time, String actor, String requestId, String reference,
                             boolean tagMatched, CheckpointRef checkpoint, String replica) {
    }

    /** A checkpoint record: its own seq and time, the segment it signs, and whether that segment is sealed. */
    public record CheckpointRef(long seq, Instant time, String segment, boolean sealed) {
    }
}
