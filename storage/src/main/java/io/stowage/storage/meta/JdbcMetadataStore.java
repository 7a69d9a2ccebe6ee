package io.stowage.storage.meta;

import io.stowage.storage.error.RegistryException;
import io.stowage.storage.oci.Digest;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@link MetadataStore} over SQL, with the schema of {@code db/migration} (drawn in
 * {@code V1__initial_schema.sql}; {@code db/postgresql} is its PostgreSQL twin). The SQL is
 * written once for SQLite and PostgreSQL alike. Each public method is one transaction of the underlying
 * {@link JdbcDatabase}; the rule checks of a manifest push run inside the transaction that
 * stores it. Times come from the injected clock. Tag journal events are handed to the
 * {@link TagEventListener} after their transaction commits. Thread-safe.
 */
public final class JdbcMetadataStore implements MetadataStore {
    /** A blob's GC hold is refreshed at most this often by reads, so pulls do not turn into writes. */
    private static final long HOLD_REFRESH_MILLIS = 60_000;
    /** Manifests are a few KiB: 32 MiB holds thousands of hot tags. */
    public static final long DEFAULT_CACHE_BYTES = 32L * 1024 * 1024;

    private final JdbcDatabase db;
    private final ManifestCache cache;
    private final Clock clock;
    private volatile TagEventListener tagEventListener = TagEventListener.NONE;

    /** A store without a manifest cache, for a database that other processes may write too. */
    JdbcMetadataStore(JdbcDatabase db, Clock clock) {
        this(db, new ManifestCache(0), clock);
    }

    private JdbcMetadataStore(JdbcDatabase db, ManifestCache cache, Clock clock) {
        this.db = new CacheFencedDatabase(db, cache);
        this.cache = cache;
        this.clock = clock;
    }

    /** The garbage collector's view of the same database. */
    public GcStore gcStore() {
        return new JdbcGcStore(db);
    }

    /**
     * Sets who is told of tag journal events after their transaction commits (see
     * {@link TagEventListener}); null means nobody. Replaces any listener set before.
     */
    public void setTagEventListener(TagEventListener listener) {
        this.tagEventListener = listener == null ? TagEventListener.NONE : listener;
    }

    /** Opens (creating and migrating if needed) the SQLite database of the embedded default. */
    public static JdbcMetadataStore openSqlite(Path databaseFile, Clock clock) {
        return openSqlite(databaseFile, DEFAULT_CACHE_BYTES, clock);
    }

    /**
     * Opens the SQLite database with a manifest cache of up to {@code cacheBytes} (0: none). The
     * cache is right here because this process is the database's only writer.
     */
    public static JdbcMetadataStore openSqlite(Path databaseFile, long cacheBytes, Clock clock) {
        return new JdbcMetadataStore(new SqliteDatabase(databaseFile), new ManifestCache(cacheBytes), clock);
    }

    /**
     * Opens (migrating if needed) a PostgreSQL database that several replicas may share. No manifest
     * cache: its fence sees only this process's writes, so another replica's tag move or delete
     * would leave this one serving the old manifest.
     */
    public static JdbcMetadataStore openPostgres(PostgresSettings settings, Clock clock) {
        return new JdbcMetadataStore(new PostgresDatabase(settings), clock);
    }

    // ---- repositories -------------------------------------------------------------------------

    @Override
    public boolean repositoryExists(String repository) {
        return db.read(c -> exists(c, "SELECT 1 FROM repositories r WHERE r.name = ? AND ("
                + " EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = r.id)"
                + " OR EXISTS (SELECT 1 FROM repository_blobs rb WHERE rb.repository_id = r.id))", repository));
    }

    @Override
    public List<String> listRepositories(String last, int limit) {
        // Only repositories with an image: a bare upload session or a stray blob is not a repository to list.
        return db.read(c -> strings(c, "SELECT r.name FROM repositories r WHERE r.name > ?"
                        + " AND EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = r.id) ORDER BY r.name LIMIT ?",
                last == null ? "" : last, limit));
    }

    // ---- blobs --------------------------------------------------------------------------------

    @Override
    public void linkBlob(String repository, Digest digest, long size) {
        db.writeBlobRows(c -> {
            long now = now();
            linkBlob(c, ensureRepository(c, repository, now), digest, size, now);
            return null;
        });
    }

    @Override
    public Optional<Long> findLinkedBlob(String repository, Digest digest) {
        Optional<LinkedBlob> found = db.read(c -> {
            try (PreparedStatement s = Sql.prepare(c, "SELECT b.size, b.held_at FROM repository_blobs rb"
                    + " JOIN repositories r ON r.id = rb.repository_id JOIN blobs b ON b.digest = rb.digest"
                    + " WHERE r.name = ? AND rb.digest = ?", repository, digest.toString());
                 ResultSet rows = s.executeQuery()) {
                return rows.next() ? Optional.of(new LinkedBlob(rows.getLong(1), rows.getLong(2))) : Optional.<LinkedBlob>empty();
            }
        });
        long now = now();
        if (found.isPresent() && found.get().heldAt() < now - HOLD_REFRESH_MILLIS) {
            db.writeBlobRows(c -> Sql.update(c, "UPDATE blobs SET held_at = ? WHERE digest = ? AND held_at < ?",
                    now, digest.toString(), now));
        }
        return found.map(LinkedBlob::size);
    }

    private record LinkedBlob(long size, long heldAt) {
    }

    @Override
    public boolean unlinkBlob(String repository, Digest digest) {
        return db.writeBlobRows(c -> {
            Long repositoryId = repositoryId(c, repository);
            return repositoryId != null && Sql.update(c, "DELETE FROM repository_blobs WHERE repository_id = ? AND digest = ?",
                    repositoryId, digest.toString()) > 0;
        });
    }

    // ---- manifests and tags -------------------------------------------------------------------

    @Override
    public void putManifest(ManifestRecord manifest, List<String> tags, String actor) {
        writeJournaling((c, journal) -> {
            long now = now();
            Long existingRepository = repositoryId(c, manifest.repository());
            // Check before creating anything, so a refused push leaves no trace (not even a repository).
            if (existingRepository == null) {
                Digest first = !manifest.blobs().isEmpty() ? manifest.blobs().get(0)
                        : !manifest.children().isEmpty() ? manifest.children().get(0) : null;
                if (first != null) {
                    throw RegistryException.manifestBlobUnknown(first);
                }
            } else {
                requireReferencesPresent(c, existingRepository, manifest);
            }
            long repositoryId = ensureRepository(c, manifest.repository(), now);
            String digest = manifest.digest().toString();
            int inserted = Sql.update(c, "INSERT INTO manifests (repository_id, digest, media_type, artifact_type, subject_digest,"
                            + " annotations_json, content, size, pushed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                            + " ON CONFLICT (repository_id, digest) DO NOTHING",
                    repositoryId, digest, manifest.mediaType(), manifest.artifactType(),
                    manifest.subject() == null ? null : manifest.subject().toString(), manifest.annotationsJson(),
                    manifest.content(), (long) manifest.content().length, now);
            if (inserted == 0) {
                // Pushing a soft-deleted manifest again is the plainest undelete there is.
                Sql.update(c, "UPDATE manifests SET deleted_at = NULL, deleted_by = NULL, swept_at = NULL"
                        + " WHERE repository_id = ? AND digest = ? AND deleted_at IS NOT NULL", repositoryId, digest);
            }
            if (inserted > 0) {
                for (Digest blob : manifest.blobs()) {
                    Sql.update(c, "INSERT INTO manifest_references (repository_id, manifest_digest, referenced_digest, kind)"
                            + " VALUES (?, ?, ?, 'blob') ON CONFLICT DO NOTHING", repositoryId, digest, blob.toString());
                    Sql.update(c, "UPDATE blobs SET held_at = ? WHERE digest = ?", now, blob.toString());
                }
                for (Digest child : manifest.children()) {
                    Sql.update(c, "INSERT INTO manifest_references (repository_id, manifest_digest, referenced_digest, kind)"
                            + " VALUES (?, ?, ?, 'manifest') ON CONFLICT DO NOTHING", repositoryId, digest, child.toString());
                }
            }
            for (String tag : tags) {
                String previous = liveTagDigest(c, repositoryId, tag);
                if (digest.equals(previous)) {
                    continue;
                }
                setTag(c, repositoryId, tag, digest, now);
                journal(c, journal, repositoryId, tag, previous == null ? TagEvent.Type.PUSHED : TagEvent.Type.MOVED,
                        digest, previous, now, actor);
            }
            return null;
        });
    }

    private static void requireReferencesPresent(Connection c, long repositoryId, ManifestRecord manifest) throws SQLException {
        for (Digest blob : manifest.blobs()) {
            if (!exists(c, "SELECT 1 FROM repository_blobs WHERE repository_id = ? AND digest = ?", repositoryId, blob.toString())) {
                throw RegistryException.manifestBlobUnknown(blob);
            }
        }
        for (Digest child : manifest.children()) {
            if (!exists(c, "SELECT 1 FROM manifests WHERE repository_id = ? AND digest = ? AND deleted_at IS NULL",
                    repositoryId, child.toString())) {
                throw RegistryException.manifestBlobUnknown(child);
            }
        }
    }

    @Override
    public Optional<StoredManifest> findManifest(String repository, Digest digest) {
        String key = digest.toString();
        StoredManifest cached = cache.byDigest(repository, key);
        if (cached != null) {
            return Optional.of(cached);
        }
        long ticket = cache.readTicket();
        Optional<StoredManifest> found = db.read(c -> manifest(c, "SELECT m.digest, m.media_type, m.content, m.pushed_at"
                + " FROM manifests m JOIN repositories r ON r.id = m.repository_id"
                + " WHERE r.name = ? AND m.digest = ? AND m.deleted_at IS NULL", repository, key));
        found.ifPresent(manifest -> cache.offerByDigest(ticket, repository, key, manifest));
        return found;
    }

    @Override
    public Optional<StoredManifest> findManifestByTag(String repository, String tag) {
        StoredManifest cached = cache.byTag(repository, tag);
        if (cached != null) {
            return Optional.of(cached);
        }
        long ticket = cache.readTicket();
        Optional<StoredManifest> found = db.read(c -> manifest(c, "SELECT m.digest, m.media_type, m.content, m.pushed_at"
                + " FROM tags t JOIN repositories r ON r.id = t.repository_id"
                + " JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.manifest_digest"
                + " WHERE r.name = ? AND t.name = ? AND m.deleted_at IS NULL", repository, tag));
        found.ifPresent(manifest -> cache.offerByTag(ticket, repository, tag, manifest));
        return found;
    }

    @Override
    public Optional<StoredManifest> cachedManifest(String repository, Digest digest) {
        return Optional.ofNullable(cache.byDigest(repository, digest.toString()));
    }

    @Override
    public Optional<StoredManifest> cachedManifestByTag(String repository, String tag) {
        return Optional.ofNullable(cache.byTag(repository, tag));
    }

    @Override
    public boolean deleteManifest(String repository, Digest digest, String actor) {
        return writeJournaling((c, journal) -> {
            Long repositoryId = repositoryId(c, repository);
            if (repositoryId == null || !exists(c, "SELECT 1 FROM manifests WHERE repository_id = ? AND digest = ?"
                    + " AND deleted_at IS NULL", repositoryId, digest.toString())) {
                return false;
            }
            long now = now();
            for (String tag : strings(c, "SELECT name FROM tags WHERE repository_id = ? AND manifest_digest = ? ORDER BY name",
                    repositoryId, digest.toString())) {
                journal(c, journal, repositoryId, tag, TagEvent.Type.DELETED, digest.toString(), null, now, actor);
            }
            Sql.update(c, "DELETE FROM tags WHERE repository_id = ? AND manifest_digest = ?", repositoryId, digest.toString());
            Sql.update(c, "UPDATE manifests SET deleted_at = ?, deleted_by = ? WHERE repository_id = ? AND digest = ?",
                    now, actor, repositoryId, digest.toString());
            return true;
        });
    }

    @Override
    public boolean deleteTag(String repository, String tag, String actor) {
        return writeJournaling((c, journal) -> {
            Long repositoryId = repositoryId(c, repository);
            String current = repositoryId == null ? null : liveTagDigest(c, repositoryId, tag);
            if (current == null) {
                return false;
            }
            Sql.update(c, "DELETE FROM tags WHERE repository_id = ? AND name = ?", repositoryId, tag);
            journal(c, journal, repositoryId, tag, TagEvent.Type.DELETED, current, null, now(), actor);
            return true;
        });
    }

    @Override
    public List<String> listTags(String repository, String last, int limit) {
        return db.read(c -> strings(c, "SELECT t.name FROM tags t JOIN repositories r ON r.id = t.repository_id"
                + " WHERE r.name = ? AND t.name > ? ORDER BY t.name LIMIT ?", repository, last == null ? "" : last, limit));
    }

    @Override
    public List<Referrer> listReferrers(String repository, Digest subject) {
        return db.read(c -> {
            List<Referrer> referrers = new ArrayList<>();
            try (PreparedStatement s = Sql.prepare(c, "SELECT m.digest, m.media_type, m.size, m.artifact_type, m.annotations_json"
                    + " FROM manifests m JOIN repositories r ON r.id = m.repository_id"
                    + " WHERE r.name = ? AND m.subject_digest = ? AND m.deleted_at IS NULL ORDER BY m.digest",
                    repository, subject.toString());
                 ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    referrers.add(new Referrer(Digest.parse(rows.getString(1)), rows.getString(2), rows.getLong(3),
                            rows.getString(4), rows.getString(5)));
                }
            }
            return referrers;
        });
    }

    // ---- tag journal --------------------------------------------------------------------------

    private static final String EVENT_COLUMNS = "e.id, r.name, e.tag, e.event_type, e.digest, e.previous_digest, e.at, e.actor";

    @Override
    public List<TagEvent> tagHistory(String repository, String tag) {
        return db.read(c -> events(c, "SELECT " + EVENT_COLUMNS + " FROM tag_events e JOIN repositories r ON r.id = e.repository_id"
                + " WHERE r.name = ? AND e.tag = ? ORDER BY e.id DESC", repository, tag));
    }

    @Override
    public List<TagEvent> deletedTags(String repository) {
        return db.read(c -> events(c, "SELECT " + EVENT_COLUMNS + " FROM tag_events e JOIN repositories r ON r.id = e.repository_id"
                + " WHERE r.name = ? AND e.event_type = 'deleted'"
                + " AND e.id = (SELECT MAX(l.id) FROM tag_events l WHERE l.repository_id = e.repository_id AND l.tag = e.tag)"
                + " AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.repository_id = e.repository_id AND t.name = e.tag)"
                + " ORDER BY e.id DESC", repository));
    }

    @Override
    public List<DeletedManifest> deletedManifests(String repository) {
        return db.read(c -> {
            List<DeletedManifest> deleted = new ArrayList<>();
            try (PreparedStatement s = Sql.prepare(c, "SELECT m.digest, m.deleted_at, m.deleted_by, m.repository_id FROM manifests m"
                    + " JOIN repositories r ON r.id = m.repository_id WHERE r.name = ? AND m.deleted_at IS NOT NULL"
                    + " ORDER BY m.deleted_at DESC, m.digest", repository);
                 ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    deleted.add(new DeletedManifest(Digest.parse(rows.getString(1)), Instant.ofEpochMilli(rows.getLong(2)),
                            rows.getString(3), tagsDeletedWith(c, rows.getLong(4), rows.getString(1), rows.getLong(2))));
                }
            }
            return deleted;
        });
    }

    @Override
    public Optional<ManifestGraph> findManifestGraph(String repository, Digest digest) {
        return db.read(c -> {
            Long repositoryId = repositoryId(c, repository);
            if (repositoryId == null) {
                return Optional.empty();
            }
            Boolean deleted;
            try (PreparedStatement s = Sql.prepare(c, "SELECT deleted_at FROM manifests WHERE repository_id = ? AND digest = ?",
                    repositoryId, digest.toString()); ResultSet rows = s.executeQuery()) {
                deleted = rows.next() ? rows.getObject(1) != null : null;
            }
            if (deleted == null) {
                return Optional.empty();
            }
            return Optional.of(new ManifestGraph(digest, deleted, references(c, repositoryId, digest, "blob"),
                    references(c, repositoryId, digest, "manifest")));
        });
    }

    @Override
    public void restoreTag(String repository, String tag, Digest digest, String actor) {
        writeJournaling((c, journal) -> {
            Long repositoryId = repositoryId(c, repository);
            if (repositoryId == null || !exists(c, "SELECT 1 FROM manifests WHERE repository_id = ? AND digest = ?",
                    repositoryId, digest.toString())) {
                throw RegistryException.manifestUnknown(digest.toString());
            }
            long now = now();
            revive(c, repositoryId, digest, now, new HashSet<>());
            String previous = liveTagDigest(c, repositoryId, tag);
            setTag(c, repositoryId, tag, digest.toString(), now);
            journal(c, journal, repositoryId, tag, TagEvent.Type.RESTORED, digest.toString(), previous, now, actor);
            return null;
        });
    }

    @Override
    public List<String> restoreManifest(String repository, Digest digest, String actor) {
        return writeJournaling((c, journal) -> {
            Long repositoryId = repositoryId(c, repository);
            if (repositoryId == null) {
                throw RegistryException.manifestUnknown(digest.toString());
            }
            Long deletedAt;
            try (PreparedStatement s = Sql.prepare(c, "SELECT deleted_at FROM manifests WHERE repository_id = ? AND digest = ?",
                    repositoryId, digest.toString()); ResultSet rows = s.executeQuery()) {
                if (!rows.next()) {
                    throw RegistryException.manifestUnknown(digest.toString());
                }
                long value = rows.getLong(1);
                deletedAt = rows.wasNull() ? null : value;
            }
            if (deletedAt == null) {
                return List.<String>of();
            }
            long now = now();
            revive(c, repositoryId, digest, now, new HashSet<>());
            List<String> restored = new ArrayList<>();
            for (String tag : tagsDeletedWith(c, repositoryId, digest.toString(), deletedAt)) {
                if (liveTagDigest(c, repositoryId, tag) == null) {
                    setTag(c, repositoryId, tag, digest.toString(), now);
                    journal(c, journal, repositoryId, tag, TagEvent.Type.RESTORED, digest.toString(), null, now, actor);
                    restored.add(tag);
                }
            }
            return restored;
        });
    }

    /** Un-deletes a manifest and the child manifests of an index, and links their blobs again. */
    private static void revive(Connection c, long repositoryId, Digest digest, long now, Set<Digest> seen)
            throws SQLException {
        if (!seen.add(digest)) {
            return;
        }
        Sql.update(c, "UPDATE manifests SET deleted_at = NULL, deleted_by = NULL, swept_at = NULL"
                + " WHERE repository_id = ? AND digest = ?", repositoryId, digest.toString());
        for (Digest blob : references(c, repositoryId, digest, "blob")) {
            Sql.update(c, "INSERT INTO repository_blobs (repository_id, digest, linked_at) SELECT ?, digest, ? FROM blobs"
                    + " WHERE digest = ? ON CONFLICT (repository_id, digest) DO NOTHING", repositoryId, now, blob.toString());
            Sql.update(c, "UPDATE blobs SET held_at = ? WHERE digest = ?", now, blob.toString());
        }
        for (Digest child : references(c, repositoryId, digest, "manifest")) {
            revive(c, repositoryId, child, now, seen);
        }
    }

    private static List<Digest> references(Connection c, long repositoryId, Digest manifest, String kind) throws SQLException {
        List<Digest> digests = new ArrayList<>();
        for (String value : strings(c, "SELECT referenced_digest FROM manifest_references WHERE repository_id = ?"
                + " AND manifest_digest = ? AND kind = ? ORDER BY referenced_digest", repositoryId, manifest.toString(), kind)) {
            digests.add(Digest.parse(value));
        }
        return digests;
    }

    /** The tags whose deletion was part of the manifest delete at {@code deletedAt} (same transaction, same time). */
    private static List<String> tagsDeletedWith(Connection c, long repositoryId, String digest, long deletedAt)
            throws SQLException {
        return strings(c, "SELECT tag FROM tag_events WHERE repository_id = ? AND digest = ? AND event_type = 'deleted'"
                + " AND at = ? ORDER BY tag", repositoryId, digest, deletedAt);
    }

    private static String liveTagDigest(Connection c, long repositoryId, String tag) throws SQLException {
        try (PreparedStatement s = Sql.prepare(c, "SELECT manifest_digest FROM tags WHERE repository_id = ? AND name = ?",
                repositoryId, tag); ResultSet rows = s.executeQuery()) {
            return rows.next() ? rows.getString(1) : null;
        }
    }

    private static void setTag(Connection c, long repositoryId, String tag, String digest, long now) throws SQLException {
        Sql.update(c, "INSERT INTO tags (repository_id, name, manifest_digest, updated_at) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (repository_id, name) DO UPDATE SET manifest_digest = excluded.manifest_digest,"
                + " updated_at = excluded.updated_at", repositoryId, tag, digest, now);
    }

    /**
     * Runs one write transaction that may journal tag events, collecting them in {@code journal},
     * and tells the listener of them only once the transaction has committed: a rolled-back change
     * must leave no trace outside the database either.
     */
    private <T> T writeJournaling(JournalingWork<T> work) {
        List<TagEvent> journal = new ArrayList<>();
        T result = db.write(c -> {
            journal.clear();
            return work.run(c, journal);
        });
        if (!journal.isEmpty()) {
            tagEventListener.onCommitted(List.copyOf(journal));
        }
        return result;
    }

    /** Write work that appends each tag event it journals to {@code journal}. */
    @FunctionalInterface
    private interface JournalingWork<T> {
        T run(Connection c, List<TagEvent> journal) throws SQLException;
    }

    /** Inserts one journal row and adds it to {@code journal} as read back, so listeners see exactly what is stored. */
    private static void journal(Connection c, List<TagEvent> journal, long repositoryId, String tag, TagEvent.Type type,
                                String digest, String previous, long now, String actor) throws SQLException {
        long id;
        try (PreparedStatement s = Sql.prepare(c, "INSERT INTO tag_events (repository_id, tag, event_type, digest,"
                        + " previous_digest, at, actor) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                repositoryId, tag, type.wireName(), digest, previous, now, actor);
             ResultSet rows = s.executeQuery()) {
            if (!rows.next()) {
                throw new SQLException("the tag_events insert returned no id");
            }
            id = rows.getLong(1);
        }
        journal.addAll(events(c, "SELECT " + EVENT_COLUMNS + " FROM tag_events e JOIN repositories r ON r.id = e.repository_id"
                + " WHERE e.id = ?", id));
    }

    private static List<TagEvent> events(Connection c, String sql, Object... args) throws SQLException {
        List<TagEvent> events = new ArrayList<>();
        try (PreparedStatement s = Sql.prepare(c, sql, args); ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
                String previous = rows.getString(6);
                events.add(new TagEvent(rows.getLong(1), rows.getString(2), rows.getString(3),
                        TagEvent.Type.fromWireName(rows.getString(4)), Digest.parse(rows.getString(5)),
                        previous == null ? null : Digest.parse(previous), Instant.ofEpochMilli(rows.getLong(7)),
                        rows.getString(8)));
            }
        }
        return events;
    }

    // ---- backups ------------------------------------------------------------------------------

    @Override
    public String registryId() {
        return db.read(c -> strings(c, "SELECT registry_id FROM registry_identity WHERE id = 1").get(0));
    }

    @Override
    public ChangePosition changePosition() {
        return db.read(JdbcMetadataStore::position);
    }

    private static ChangePosition position(Connection c) throws SQLException {
        try (PreparedStatement s = Sql.prepare(c, "SELECT (SELECT seq FROM change_counter WHERE id = 1),"
                + " (SELECT COALESCE(MAX(id), 0) FROM tag_events)"); ResultSet rows = s.executeQuery()) {
            rows.next();
            return new ChangePosition(rows.getLong(1), rows.getLong(2));
        }
    }

    @Override
    public BackupSnapshot backupSnapshot(long changedAfter) {
        return db.readSnapshot(c -> {
            // One snapshot, so the position, the manifests and the tags agree with each other while
            // pushes keep committing.
            ChangePosition position = position(c);
            Map<String, List<BackupSnapshot.BlobRef>> blobs = changedBlobs(c, changedAfter);
            List<BackupSnapshot.Manifest> manifests = new ArrayList<>();
            try (PreparedStatement s = Sql.prepare(c, "SELECT r.name, m.digest, m.media_type, m.size, m.deleted_at,"
                    + " m.change_seq, m.repository_id FROM manifests m JOIN repositories r ON r.id = m.repository_id"
                    + " WHERE m.swept_at IS NULL ORDER BY r.name, m.digest");
                 ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    long deletedAt = rows.getLong(5);
                    Instant deleted = rows.wasNull() ? null : Instant.ofEpochMilli(deletedAt);
                    long changeSeq = rows.getLong(6);
                    boolean changed = changeSeq > changedAfter;
                    List<BackupSnapshot.BlobRef> refs = changed
                            ? blobs.getOrDefault(rows.getLong(7) + ":" + rows.getString(2), List.of()) : List.of();
                    manifests.add(new BackupSnapshot.Manifest(rows.getString(1), Digest.parse(rows.getString(2)),
                            rows.getString(3), rows.getLong(4), deleted, changeSeq, changed, refs));
                }
            }
            List<BackupSnapshot.LiveTag> tags = new ArrayList<>();
            try (PreparedStatement s = Sql.prepare(c, "SELECT r.name, t.name, t.manifest_digest FROM tags t"
                    + " JOIN repositories r ON r.id = t.repository_id ORDER BY r.name, t.name");
                 ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    tags.add(new BackupSnapshot.LiveTag(rows.getString(1), rows.getString(2), Digest.parse(rows.getString(3))));
                }
            }
            return new BackupSnapshot(position, manifests, tags);
        });
    }

    /** Config and layer references of the manifests changed after {@code changedAfter}, by repository id and digest. */
    private static Map<String, List<BackupSnapshot.BlobRef>> changedBlobs(Connection c, long changedAfter)
            throws SQLException {
        Map<String, List<BackupSnapshot.BlobRef>> refs = new HashMap<>();
        try (PreparedStatement s = Sql.prepare(c, "SELECT m.repository_id, m.digest, x.referenced_digest, COALESCE(b.size, -1)"
                + " FROM manifests m JOIN manifest_references x ON x.repository_id = m.repository_id"
                + " AND x.manifest_digest = m.digest AND x.kind = 'blob' LEFT JOIN blobs b ON b.digest = x.referenced_digest"
                + " WHERE m.change_seq > ? AND m.swept_at IS NULL ORDER BY x.referenced_digest", changedAfter);
             ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
                refs.computeIfAbsent(rows.getLong(1) + ":" + rows.getString(2), key -> new ArrayList<>())
                        .add(new BackupSnapshot.BlobRef(Digest.parse(rows.getString(3)), rows.getLong(4)));
            }
        }
        return refs;
    }

    @Override
    public List<TagEvent> journalEvents(long after, long upTo, int limit) {
        return db.read(c -> events(c, "SELECT " + EVENT_COLUMNS + " FROM tag_events e JOIN repositories r ON r.id = e.repository_id"
                + " WHERE e.id > ? AND e.id <= ? ORDER BY e.id LIMIT ?", after, upTo, limit));
    }

    @Override
    public Optional<StoredManifest> findManifestContent(String repository, Digest digest) {
        return db.read(c -> manifest(c, "SELECT m.digest, m.media_type, m.content, m.pushed_at"
                + " FROM manifests m JOIN repositories r ON r.id = m.repository_id"
                + " WHERE r.name = ? AND m.digest = ?", repository, digest.toString()));
    }

    // ---- integrity scrub ----------------------------------------------------------------------

    @Override
    public List<ManifestEntry> listManifests(ManifestEntry.Cursor after, int limit) {
        String lastRepository = after == null ? "" : after.repository();
        String lastDigest = after == null ? "" : after.digest();
        return db.read(c -> {
            List<ManifestEntry> page = new ArrayList<>();
            List<Long> repositoryIds = new ArrayList<>();
            try (PreparedStatement s = Sql.prepare(c, "SELECT m.repository_id, r.name, m.digest, m.media_type, m.content,"
                            + " m.deleted_at FROM manifests m JOIN repositories r ON r.id = m.repository_id"
                            + " WHERE m.swept_at IS NULL AND (r.name > ? OR (r.name = ? AND m.digest > ?))"
                            + " ORDER BY r.name, m.digest LIMIT ?", lastRepository, lastRepository, lastDigest, limit);
                 ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    repositoryIds.add(rows.getLong(1));
                    rows.getLong(6);
                    boolean deleted = !rows.wasNull();
                    page.add(new ManifestEntry(rows.getString(2), Digest.parse(rows.getString(3)), rows.getString(4),
                            rows.getBytes(5), deleted, List.of(), List.of(), List.of()));
                }
            }
            List<ManifestEntry> complete = new ArrayList<>(page.size());
            for (int i = 0; i < page.size(); i++) {
                ManifestEntry entry = page.get(i);
                long repositoryId = repositoryIds.get(i);
                complete.add(new ManifestEntry(entry.repository(), entry.digest(), entry.mediaType(), entry.content(),
                        entry.deleted(), strings(c, "SELECT name FROM tags WHERE repository_id = ? AND manifest_digest = ?"
                                + " ORDER BY name", repositoryId, entry.digest().toString()),
                        references(c, repositoryId, entry.digest(), "blob"),
                        references(c, repositoryId, entry.digest(), "manifest")));
            }
            return complete;
        });
    }

    @Override
    public boolean repairManifestContent(String repository, Digest digest, byte[] content) {
        Digest actual = Digest.of(digest.algorithm(), content);
        if (!actual.equals(digest)) {
            throw RegistryException.digestInvalid("manifest content hashes to " + actual + ", not " + digest);
        }
        // Inside the cache's fence like every manifest write, so no reader keeps the damaged bytes.
        return db.write(c -> {
            Long repositoryId = repositoryId(c, repository);
            return repositoryId != null && Sql.update(c, "UPDATE manifests SET content = ?, size = ?"
                    + " WHERE repository_id = ? AND digest = ?", content, (long) content.length, repositoryId,
                    digest.toString()) > 0;
        });
    }

    // ---- upload sessions ----------------------------------------------------------------------

    @Override
    public void createUpload(UploadSession session) {
        db.writeBlobRows(c -> {
            long repositoryId = ensureRepository(c, session.repository(), now());
            return Sql.update(c, "INSERT INTO upload_sessions (upload_id, repository_id, size, started_at, updated_at)"
                            + " VALUES (?, ?, ?, ?, ?)", session.uploadId(), repositoryId, session.size(),
                    session.startedAt().toEpochMilli(), session.updatedAt().toEpochMilli());
        });
    }

    @Override
    public Optional<UploadSession> findUpload(String uploadId) {
        return db.read(c -> {
            List<UploadSession> found = uploads(c, "WHERE u.upload_id = ?", uploadId);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        });
    }

    @Override
    public void touchUpload(String uploadId, long size, Instant at) {
        db.writeBlobRows(c -> Sql.update(c, "UPDATE upload_sessions SET size = ?, updated_at = ? WHERE upload_id = ?",
                size, at.toEpochMilli(), uploadId));
    }

    @Override
    public void completeUpload(String uploadId, Digest digest, long size) {
        db.writeBlobRows(c -> {
            Long repositoryId;
            try (PreparedStatement s = Sql.prepare(c, "SELECT repository_id FROM upload_sessions WHERE upload_id = ?", uploadId);
                 ResultSet rows = s.executeQuery()) {
                repositoryId = rows.next() ? rows.getLong(1) : null;
            }
            if (repositoryId == null) {
                throw RegistryException.uploadUnknown(uploadId);
            }
            linkBlob(c, repositoryId, digest, size, now());
            Sql.update(c, "DELETE FROM upload_sessions WHERE upload_id = ?", uploadId);
            return null;
        });
    }

    @Override
    public boolean deleteUpload(String uploadId) {
        return db.writeBlobRows(c -> Sql.update(c, "DELETE FROM upload_sessions WHERE upload_id = ?", uploadId) > 0);
    }

    @Override
    public List<UploadSession> listUploadsIdleSince(Instant cutoff) {
        return db.read(c -> uploads(c, "WHERE u.updated_at < ? ORDER BY u.updated_at", cutoff.toEpochMilli()));
    }

    @Override
    public boolean takeUploadLease(String uploadId, String writer, Instant now, Instant until) {
        return db.writeBlobRows(c -> Sql.update(c, "UPDATE upload_sessions SET writer = ?, writer_until = ?"
                        + " WHERE upload_id = ? AND (writer IS NULL OR writer_until < ?)",
                writer, until.toEpochMilli(), uploadId, now.toEpochMilli()) == 1);
    }

    @Override
    public boolean renewUploadLease(String uploadId, String writer, Instant until) {
        return db.writeBlobRows(c -> Sql.update(c, "UPDATE upload_sessions SET writer_until = ? WHERE upload_id = ? AND writer = ?",
                until.toEpochMilli(), uploadId, writer) == 1);
    }

    @Override
    public void releaseUploadLease(String uploadId, String writer) {
        db.writeBlobRows(c -> Sql.update(c, "UPDATE upload_sessions SET writer = NULL, writer_until = NULL"
                + " WHERE upload_id = ? AND writer = ?", uploadId, writer));
    }

    // Job leases change no manifest or tag, so they skip the manifest cache's fence.

    @Override
    public boolean acquireJobLease(String name, String holder, String runId, Instant now, Instant until) {
        return db.writeBlobRows(c -> Sql.update(c, "INSERT INTO job_leases (name, holder, run_id, expires_at, last_started_at)"
                        + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
                        + " run_id = excluded.run_id, expires_at = excluded.expires_at, last_started_at = excluded.last_started_at"
                        + " WHERE job_leases.holder IS NULL OR job_leases.expires_at < ?",
                name, holder, runId, until.toEpochMilli(), now.toEpochMilli(), now.toEpochMilli()) == 1);
    }

    @Override
    public boolean renewJobLease(String name, String holder, String runId, Instant until) {
        return db.writeBlobRows(c -> Sql.update(c, "UPDATE job_leases SET expires_at = ? WHERE name = ? AND holder = ? AND run_id = ?",
                until.toEpochMilli(), name, holder, runId) == 1);
    }

    @Override
    public void releaseJobLease(String name, String holder, String runId) {
        db.writeBlobRows(c -> Sql.update(c, "UPDATE job_leases SET holder = NULL, run_id = NULL, expires_at = NULL"
                + " WHERE name = ? AND holder = ? AND run_id = ?", name, holder, runId));
    }

    @Override
    public Optional<JobLease> jobLease(String name) {
        return db.read(c -> {
            try (PreparedStatement s = Sql.prepare(c, "SELECT holder, run_id, expires_at, last_started_at FROM job_leases"
                    + " WHERE name = ?", name); ResultSet rows = s.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(new JobLease(name, rows.getString(1), rows.getString(2), instant(rows, 3), instant(rows, 4)));
            }
        });
    }

    @Override
    public void close() {
        db.close();
    }

    // ---- SQL helpers --------------------------------------------------------------------------

    private long now() {
        return clock.millis();
    }

    /** An epoch-millisecond column that may be NULL. */
    private static Instant instant(ResultSet rows, int column) throws SQLException {
        long millis = rows.getLong(column);
        return rows.wasNull() ? null : Instant.ofEpochMilli(millis);
    }

    private static void linkBlob(Connection c, long repositoryId, Digest digest, long size, long now) throws SQLException {
        Sql.update(c, "INSERT INTO blobs (digest, size, created_at, held_at) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (digest) DO UPDATE SET held_at = excluded.held_at", digest.toString(), size, now, now);
        Sql.update(c, "INSERT INTO repository_blobs (repository_id, digest, linked_at) VALUES (?, ?, ?)"
                + " ON CONFLICT (repository_id, digest) DO UPDATE SET linked_at = excluded.linked_at", repositoryId, digest.toString(), now);
    }

    private static Long repositoryId(Connection c, String name) throws SQLException {
        try (PreparedStatement s = Sql.prepare(c, "SELECT id FROM repositories WHERE name = ?", name);
             ResultSet rows = s.executeQuery()) {
            return rows.next() ? rows.getLong(1) : null;
        }
    }

    private static long ensureRepository(Connection c, String name, long now) throws SQLException {
        Sql.update(c, "INSERT INTO repositories (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", name, now);
        return repositoryId(c, name);
    }

    private static Optional<StoredManifest> manifest(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = Sql.prepare(c, sql, args); ResultSet rows = s.executeQuery()) {
            if (!rows.next()) {
                return Optional.empty();
            }
            return Optional.of(new StoredManifest(Digest.parse(rows.getString(1)), rows.getString(2), rows.getBytes(3),
                    Instant.ofEpochMilli(rows.getLong(4))));
        }
    }

    private static List<UploadSession> uploads(Connection c, String where, Object... args) throws SQLException {
        List<UploadSession> sessions = new ArrayList<>();
        try (PreparedStatement s = Sql.prepare(c, "SELECT u.upload_id, r.name, u.size, u.started_at, u.updated_at"
                + " FROM upload_sessions u JOIN repositories r ON r.id = u.repository_id " + where, args);
             ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
                sessions.add(new UploadSession(rows.getString(1), rows.getString(2), rows.getLong(3),
                        Instant.ofEpochMilli(rows.getLong(4)), Instant.ofEpochMilli(rows.getLong(5))));
            }
        }
        return sessions;
    }

    private static List<String> strings(Connection c, String sql, Object... args) throws SQLException {
        List<String> values = new ArrayList<>();
        try (PreparedStatement s = Sql.prepare(c, sql, args); ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }

    private static boolean exists(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = Sql.prepare(c, sql, args); ResultSet rows = s.executeQuery()) {
            return rows.next();
        }
    }
}
