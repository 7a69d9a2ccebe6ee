package io.stowage.storage.meta;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@link GcStore} over the same SQL database as {@link JdbcMetadataStore} (tables of
 * {@code V3__garbage_collection.sql}). Each method is one transaction. Thread-safe.
 */
final class JdbcGcStore implements GcStore {
    private final JdbcDatabase db;

    JdbcGcStore(JdbcDatabase db) {
        this.db = db;
    }

    @Override
    public boolean acquireLease(String holder, String runId, Instant now, Instant until) {
        return db.write(c -> {
            try (PreparedStatement s = Sql.prepare(c, "UPDATE gc_lease SET holder = ?, run_id = ?, expires_at = ?"
                    + " WHERE id = 1 AND (holder IS NULL OR holder = ? OR expires_at < ?)",
                    holder, runId, until.toEpochMilli(), holder, now.toEpochMilli())) {
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean renewLease(String holder, String runId, Instant until) {
        return db.write(c -> {
            try (PreparedStatement s = Sql.prepare(c, "UPDATE gc_lease SET expires_at = ? WHERE id = 1 AND holder = ?"
                    + " AND run_id = ?", until.toEpochMilli(), holder, runId)) {
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void releaseLease(String holder, String runId) {
        db.write(c -> {
            try (PreparedStatement s = Sql.prepare(c, "UPDATE gc_lease SET holder = NULL, run_id = NULL, expires_at = NULL"
                    + " WHERE id = 1 AND holder = ? AND run_id = ?", holder, runId)) {
                return s.executeUpdate();
            }
        });
    }

    @Override
    public Optional<GcLease> lease() {
        return db.read(c -> {
            try (PreparedStatement s = Sql.prepare(c, "SELECT holder, run_id, expires_at FROM gc_lease WHERE id = 1"
                    + " AND holder IS NOT NULL"); ResultSet rows = s.executeQuery()) {
                return rows.next()
                        ? Optional.of(new GcLease(rows.getString(1), rows.getString(2), Instant.ofEpochMilli(rows.getLong(3))))
                        : Optional.empty();
            }
        });
    }

    @Override
    public GcPause pauseState() {
        return db.read(JdbcGcStore::readPause);
    }

    @Override
    public GcPause setPaused(boolean paused, String actor, String reason, Instant at) {
        return db.write(c -> {
            if (paused) {
                // Pausing an already paused collector keeps who paused it first and why.
                Sql.update(c, "UPDATE gc_state SET paused = 1, paused_by = ?, paused_at = ?, pause_reason = ?"
                        + " WHERE id = 1 AND paused = 0", actor, at.toEpochMilli(), reason);
            } else {
                Sql.update(c, "UPDATE gc_state SET paused = 0, paused_by = NULL, paused_at = NULL, pause_reason = NULL WHERE id = 1");
            }
            return readPause(c);
        });
    }

    private static GcPause readPause(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT paused, paused_by, paused_at, pause_reason FROM gc_state WHERE id = 1");
             ResultSet rows = s.executeQuery()) {
            rows.next();
            long at = rows.getLong(3);
            Instant pausedAt = rows.wasNull() ? null : Instant.ofEpochMilli(at);
            return new GcPause(rows.getInt(1) == 1, rows.getString(2), pausedAt, rows.getString(4));
        }
    }

    @Override
    public GcSnapshot snapshot() {
        // One snapshot, so the mark sees a consistent graph.
        return db.readSnapshot(c -> {
            List<GcSnapshot.Manifest> manifests = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT m.repository_id, r.name, m.digest, m.size, m.pushed_at,"
                    + " m.deleted_at, m.subject_digest FROM manifests m JOIN repositories r ON r.id = m.repository_id"
                    + " WHERE m.swept_at IS NULL");
                 ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    long deletedAt = rows.getLong(6);
                    Long deleted = rows.wasNull() ? null : deletedAt;
                    manifests.add(new GcSnapshot.Manifest(rows.getLong(1), rows.getString(2), rows.getString(3),
                            rows.getLong(4), rows.getLong(5), deleted, rows.getString(7)));
                }
            }
            Set<String> tagged = new HashSet<>();
            try (PreparedStatement s = c.prepareStatement("SELECT DISTINCT repository_id, manifest_digest FROM tags");
                 ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    tagged.add(GcSnapshot.key(rows.getLong(1), rows.getString(2)));
                }
            }
            List<GcSnapshot.Edge> edges = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT r.repository_id, r.manifest_digest, r.referenced_digest, r.kind FROM manifest_references r"
                            + " JOIN manifests m ON m.repository_id = r.repository_id AND m.digest = r.manifest_digest"
                            + " WHERE m.swept_at IS NULL");
                 ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    edges.add(new GcSnapshot.Edge(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getString(4)));
                }
            }
            List<GcSnapshot.JournalMention> mentions = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT repository_id, digest, MAX(at) FROM ("
                    + " SELECT repository_id, digest, at FROM tag_events"
                    + " UNION ALL SELECT repository_id, previous_digest, at FROM tag_events WHERE previous_digest IS NOT NULL) mentioned"
                    + " GROUP BY repository_id, digest");
                 ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    mentions.add(new GcSnapshot.JournalMention(rows.getLong(1), rows.getString(2), rows.getLong(3)));
                }
            }
            List<GcSnapshot.Blob> blobs = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT digest, size, held_at FROM blobs");
                 ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    blobs.add(new GcSnapshot.Blob(rows.getString(1), rows.getLong(2), rows.getLong(3)));
                }
            }
            return new GcSnapshot(manifests, tagged, edges, mentions, blobs);
        });
    }

    @Override
    public Map<GcSnapshot.Manifest, Long> removeManifestsIfCollectable(List<GcSnapshot.Manifest> batch, Instant retentionCutoff,
                                                                     Instant now) {
        return db.write(c -> {
            Map<GcSnapshot.Manifest, Long> removed = new LinkedHashMap<>();
            for (GcSnapshot.Manifest manifest : batch) {
                Long size = removeManifest(c, manifest.repositoryId(), manifest.digest(), retentionCutoff.toEpochMilli(),
                        now.toEpochMilli());
                if (size != null) {
                    removed.put(manifest, size);
                }
            }
            return removed;
        });
    }

    /** The conditional removal of one manifest inside the caller's transaction; its size, or null if it stays. */
    private static Long removeManifest(Connection c, long repositoryId, String digest, long cutoff, long now) throws SQLException {
        Long size = null;
        try (PreparedStatement s = Sql.prepare(c, "SELECT m.size FROM manifests m WHERE m.repository_id = ? AND m.digest = ?"
                        + " AND m.swept_at IS NULL"
                        + " AND ((m.deleted_at IS NULL AND m.pushed_at < ?) OR (m.deleted_at IS NOT NULL AND m.deleted_at < ?))"
                        + " AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.repository_id = m.repository_id AND t.manifest_digest = m.digest)"
                        + " AND NOT EXISTS (SELECT 1 FROM manifest_references p JOIN manifests pm"
                        + "     ON pm.repository_id = p.repository_id AND pm.digest = p.manifest_digest AND pm.swept_at IS NULL"
                        + "     WHERE p.repository_id = m.repository_id AND p.kind = 'manifest' AND p.referenced_digest = m.digest)"
                        + " AND NOT EXISTS (SELECT 1 FROM manifests s WHERE s.repository_id = m.repository_id"
                        + "     AND s.digest = m.subject_digest AND s.swept_at IS NULL)"
                        + " AND NOT EXISTS (SELECT 1 FROM tag_events e WHERE e.repository_id = m.repository_id"
                        + "     AND e.digest = m.digest AND e.at >= ?)"
                        + " AND NOT EXISTS (SELECT 1 FROM tag_events e WHERE e.repository_id = m.repository_id"
                        + "     AND e.previous_digest = m.digest AND e.at >= ?)",
                repositoryId, digest, cutoff, cutoff, cutoff, cutoff);
             ResultSet rows = s.executeQuery()) {
            if (rows.next()) {
                size = rows.getLong(1);
            }
        }
        if (size == null) {
            return null;
        }
        boolean journaled;
        try (PreparedStatement s = Sql.prepare(c, "SELECT 1 WHERE EXISTS (SELECT 1 FROM tag_events WHERE repository_id = ? AND digest = ?)"
                + " OR EXISTS (SELECT 1 FROM tag_events WHERE repository_id = ? AND previous_digest = ?)",
                repositoryId, digest, repositoryId, digest); ResultSet rows = s.executeQuery()) {
            journaled = rows.next();
        }
        if (journaled) {
            Sql.update(c, "UPDATE manifests SET swept_at = ?, deleted_at = COALESCE(deleted_at, ?),"
                    + " deleted_by = COALESCE(deleted_by, 'gc') WHERE repository_id = ? AND digest = ?",
                    now, now, repositoryId, digest);
        } else {
            Sql.update(c, "DELETE FROM manifests WHERE repository_id = ? AND digest = ?", repositoryId, digest);
        }
        return size;
    }

    @Override
    public Map<String, Long> removeBlobsIfCollectable(List<String> digests, Instant graceCutoff) {
        return db.write(c -> {
            Map<String, Long> removed = new LinkedHashMap<>();
            for (String digest : digests) {
                Long size = null;
                try (PreparedStatement s = Sql.prepare(c, "SELECT b.size FROM blobs b WHERE b.digest = ? AND b.held_at < ?"
                        + " AND NOT EXISTS (SELECT 1 FROM manifest_references r JOIN manifests m"
                        + "     ON m.repository_id = r.repository_id AND m.digest = r.manifest_digest AND m.swept_at IS NULL"
                        + "     WHERE r.kind = 'blob' AND r.referenced_digest = b.digest)",
                        digest, graceCutoff.toEpochMilli()); ResultSet rows = s.executeQuery()) {
                    if (rows.next()) {
                        size = rows.getLong(1);
                    }
                }
                if (size != null) {
                    Sql.update(c, "DELETE FROM repository_blobs WHERE digest = ?", digest);
                    Sql.update(c, "DELETE FROM blobs WHERE digest = ?", digest);
                    removed.put(digest, size);
                }
            }
            return removed;
        });
    }

    @Override
    public boolean blobKnown(String digest) {
        return db.read(c -> {
            try (PreparedStatement s = Sql.prepare(c, "SELECT 1 FROM blobs WHERE digest = ?", digest); ResultSet rows = s.executeQuery()) {
                return rows.next();
            }
        });
    }

    @Override
    public void saveRun(GcRunRecord run) {
        db.write(c -> Sql.update(c, "INSERT INTO gc_runs (id, dry_run, started_at, finished_at, outcome, marked_manifests,"
                        + " marked_blobs, swept_manifests, swept_blobs, swept_bytes, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (id) DO UPDATE SET finished_at = excluded.finished_at, outcome = excluded.outcome,"
                        + " marked_manifests = excluded.marked_manifests, marked_blobs = excluded.marked_blobs,"
                        + " swept_manifests = excluded.swept_manifests, swept_blobs = excluded.swept_blobs,"
                        + " swept_bytes = excluded.swept_bytes, error = excluded.error",
                run.id(), run.dryRun() ? 1 : 0, run.startedAt().toEpochMilli(),
                run.finishedAt() == null ? null : run.finishedAt().toEpochMilli(), run.outcome(), run.markedManifests(),
                run.markedBlobs(), run.sweptManifests(), run.sweptBlobs(), run.sweptBytes(), run.error()));
    }

    @Override
    public void addDeletions(String runId, List<GcDeletion> deletions) {
        if (deletions.isEmpty()) {
            return;
        }
        db.write(c -> {
            long seq = 0;
            try (PreparedStatement s = Sql.prepare(c, "SELECT COALESCE(MAX(seq), 0) FROM gc_deleted WHERE run_id = ?", runId);
                 ResultSet rows = s.executeQuery()) {
                rows.next();
                seq = rows.getLong(1);
            }
            for (GcDeletion deletion : deletions) {
                Sql.update(c, "INSERT INTO gc_deleted (run_id, seq, digest, kind, size, repository) VALUES (?, ?, ?, ?, ?, ?)",
                        runId, ++seq, deletion.digest(), deletion.kind(), deletion.size(), deletion.repository());
            }
            return null;
        });
    }

    @Override
    public List<GcRunRecord> runs(int limit) {
        return db.read(c -> readRuns(c, "ORDER BY started_at DESC, id DESC LIMIT ?", limit));
    }

    @Override
    public Optional<GcRunRecord> run(String id) {
        return db.read(c -> readRuns(c, "WHERE id = ?", id).stream().findFirst());
    }

    @Override
    public List<GcDeletion> deletions(String runId) {
        return db.read(c -> {
            List<GcDeletion> deletions = new ArrayList<>();
            try (PreparedStatement s = Sql.prepare(c, "SELECT digest, kind, size, repository FROM gc_deleted WHERE run_id = ? ORDER BY seq",
                    runId); ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    deletions.add(new GcDeletion(rows.getString(1), rows.getString(2), rows.getLong(3), rows.getString(4)));
                }
            }
            return deletions;
        });
    }

    private static List<GcRunRecord> readRuns(Connection c, String tail, Object... args) throws SQLException {
        List<GcRunRecord> runs = new ArrayList<>();
        try (PreparedStatement s = Sql.prepare(c, "SELECT id, dry_run, started_at, finished_at, outcome, marked_manifests, marked_blobs,"
                + " swept_manifests, swept_blobs, swept_bytes, error FROM gc_runs " + tail, args);
             ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
                long finished = rows.getLong(4);
                Instant finishedAt = rows.wasNull() ? null : Instant.ofEpochMilli(finished);
                runs.add(new GcRunRecord(rows.getString(1), rows.getInt(2) == 1, Instant.ofEpochMilli(rows.getLong(3)),
                        finishedAt, rows.getString(5), rows.getLong(6), rows.getLong(7), rows.getLong(8), rows.getLong(9),
                        rows.getLong(10), rows.getString(11)));
            }
        }
        return runs;
    }
}
