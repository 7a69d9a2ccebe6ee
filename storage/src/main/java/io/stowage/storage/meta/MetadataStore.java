package io.stowage.storage.meta;

import io.stowage.storage.oci.Digest;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The metadata store SPI: which repositories exist, which blobs each repository may see,
 * manifests and their references, tags, and upload sessions. The blob bytes themselves live in
 * the {@link io.stowage.storage.blob.BlobStore}.
 *
 * <p>Every method is one transaction: a request's metadata changes commit together or not at all,
 * and are durable when the method returns. Repositories are recorded implicitly with their first
 * blob link, manifest or upload, and count as existing once they hold content. Deleting a tag or a manifest goes only through
 * {@link #deleteTag} and {@link #deleteManifest}, the one place where a later soft delete hooks in.
 * Implementations are thread-safe.
 */
public interface MetadataStore extends AutoCloseable {

    // ---- repositories -------------------------------------------------------------------------

    /** True when the repository holds a manifest or a blob link; an upload session alone does not count. */
    boolean repositoryExists(String repository);

    /**
     * Names of repositories holding at least one manifest, in lexical order, strictly after
     * {@code last} (null: from the start).
     */
    List<String> listRepositories(String last, int limit);

    // ---- blobs --------------------------------------------------------------------------------

    /**
     * Makes {@code digest} visible in {@code repository} (after an upload, or a mount), records
     * the blob's size, and refreshes its garbage-collection hold to now.
     */
    void linkBlob(String repository, Digest digest, long size);

    /**
     * The size of {@code digest} if it is linked into {@code repository}; also refreshes the
     * blob's garbage-collection hold, because a client that checked a blob will rely on it.
     */
    Optional<Long> findLinkedBlob(String repository, Digest digest);

    /** Removes the link of {@code digest} from {@code repository}; the bytes stay for the GC. */
    boolean unlinkBlob(String repository, Digest digest);

    // ---- manifests and tags -------------------------------------------------------------------

    /**
     * Stores a manifest and points each of {@code tags} (possibly none) at it, in one transaction
     * that also checks that every blob reference is linked into the repository and every child
     * manifest is stored in it; if one is not, nothing changes and {@code MANIFEST_BLOB_UNKNOWN}
     * is thrown naming the first missing digest. Storing the same digest again is idempotent (the
     * stored bytes are those of the first push); pushing a soft-deleted manifest again brings it
     * back. Each tag change is journaled as {@code pushed} or {@code moved} by {@code actor}.
     */
    void putManifest(ManifestRecord manifest, List<String> tags, String actor);

    Optional<StoredManifest> findManifest(String repository, Digest digest);

    Optional<StoredManifest> findManifestByTag(String repository, String tag);

    /**
     * {@link #findManifest} answered from memory, or empty when that would need the database:
     * never blocks, so a network thread may ask. Empty says nothing about whether it exists.
     */
    default Optional<StoredManifest> cachedManifest(String repository, Digest digest) {
        return Optional.empty();
    }

    /** {@link #findManifestByTag} answered from memory, or empty; never blocks (see {@link #cachedManifest}). */
    default Optional<StoredManifest> cachedManifestByTag(String repository, String tag) {
        return Optional.empty();
    }

    /**
     * Soft-deletes the manifest and every tag pointing at it: to clients they are gone, but the
     * rows and bytes stay for undelete until the garbage collector's retention passes. Each tag
     * gets a {@code deleted} journal event. False if no live manifest had that digest.
     */
    boolean deleteManifest(String repository, Digest digest, String actor);

    /** Deletes the tag (journaled as {@code deleted}); the manifest stays. False if there was no such tag. */
    boolean deleteTag(String repository, String tag, String actor);

    /** Tags of the repository in lexical order, strictly after {@code last} (null: from the start). */
    List<String> listTags(String repository, String last, int limit);

    /** Manifests of the repository whose {@code subject} is {@code subject}, ordered by digest. */
    List<Referrer> listReferrers(String repository, Digest subject);

    // ---- tag journal --------------------------------------------------------------------------

    /** Every journal event of the tag, newest first. */
    List<TagEvent> tagHistory(String repository, String tag);

    /** The last {@code deleted} event of each tag that is not live now, newest first. */
    List<TagEvent> deletedTags(String repository);

    /** Soft-deleted manifests of the repository, newest deletion first. */
    List<DeletedManifest> deletedManifests(String repository);

    /** What a stored manifest points at, whether live or soft-deleted; empty if no row is left. */
    Optional<ManifestGraph> findManifestGraph(String repository, Digest digest);

    /**
     * Points {@code tag} at {@code digest} again, in one transaction: brings the manifest (and the
     * child manifests of an index) back if they were soft-deleted, links their blobs into the
     * repository again, and journals a {@code restored} event with the tag's previous live digest.
     * The caller has checked that the content exists. {@code MANIFEST_UNKNOWN} if no manifest row
     * is left.
     */
    void restoreTag(String repository, String tag, Digest digest, String actor);

    /**
     * Brings a soft-deleted manifest back with those of its tags that are not live elsewhere now,
     * journaling each as {@code restored}; returns the tags restored.
     */
    List<String> restoreManifest(String repository, Digest digest, String actor);

    // ---- backups ------------------------------------------------------------------------------

    /**
     * A random id made once with this store's database. A backup records it, so that it never
     * continues a copy of one registry from another registry's watermark.
     */
    String registryId();

    /** Where the content stands now (one indexed read): equal to a backup's watermark means nothing changed. */
    ChangePosition changePosition();

    /**
     * The state a backup copies, read in one transaction (see {@link BackupSnapshot}); manifests
     * whose last change is after {@code changedAfter} (a {@link ChangePosition#changeSeq()}, -1 for
     * all) are marked changed and carry their blob references.
     */
    BackupSnapshot backupSnapshot(long changedAfter);

    /**
     * Tag journal events with {@code after < id <= upTo}, oldest first, at most {@code limit}: a
     * backup pages through what is new since its watermark. Events never change once written.
     */
    List<TagEvent> journalEvents(long after, long upTo, int limit);

    /**
     * The exact bytes of a manifest row whatever its state (live, soft-deleted, or a tombstone),
     * or empty if no row is left; the bytes of a row never change.
     */
    Optional<StoredManifest> findManifestContent(String repository, Digest digest);
    // ---- integrity scrub ----------------------------------------------------------------------

    /**
     * One page of every stored manifest row, live and soft-deleted (not tombstones), of all
     * repositories, ordered by repository name and then digest text, strictly after {@code after}
     * (null: from the start), with the tags pointing at each now and what each references. Read from
     * the database itself, never from a cache: the scrub checks the stored bytes. Each page is its own
     * short read, so a walk over a large registry holds no transaction open between pages.
     */
    List<ManifestEntry> listManifests(ManifestEntry.Cursor after, int limit);

    /**
     * Puts verified bytes back into a manifest row whose stored content no longer hashes to its
     * digest (the scrub's repair); references, tags and times are untouched. Throws
     * {@code DIGEST_INVALID} and changes nothing unless {@code content} hashes to {@code digest}.
     *
     * @return false if the repository has no row for {@code digest}
     */
    boolean repairManifestContent(String repository, Digest digest, byte[] content);

    // ---- upload sessions ----------------------------------------------------------------------

    void createUpload(UploadSession session);

    Optional<UploadSession> findUpload(String uploadId);

    /** Records progress of a session: its new size and the time of the write. */
    void touchUpload(String uploadId, long size, Instant at);

    /**
     * Ends a session successfully: links the blob into the session's repository and removes the
     * session, in one transaction.
     */
    void completeUpload(String uploadId, Digest digest, long size);

    boolean deleteUpload(String uploadId);

    /** Sessions whose last activity is before {@code cutoff}, for the purge of abandoned uploads. */
    List<UploadSession> listUploadsIdleSince(Instant cutoff);

    /**
     * Takes the write lease of a session for {@code writer} until {@code until}, if nobody holds it or
     * its holder's lease ended before {@code now}: one conditional update, so of writers asking at once
     * exactly one gets it. False when another writer holds it, or there is no such session.
     */
    boolean takeUploadLease(String uploadId, String writer, Instant now, Instant until);

    /**
     * Extends {@code writer}'s lease to {@code until}; false when it no longer holds the session (taken
     * over after the lease ended, or the session is gone).
     */
    boolean renewUploadLease(String uploadId, String writer, Instant until);

    /** Gives {@code writer}'s lease back if it still holds it. */
    void releaseUploadLease(String uploadId, String writer);

    /**
     * Takes the lease of background job {@code name} for {@code runId} of {@code holder} until
     * {@code until}, if nobody holds it or its holder's lease expired before {@code now}, and records
     * {@code now} as the job's last start. One statement (the row is created on first use): of replicas
     * asking at once, exactly one gets it.
     */
    boolean acquireJobLease(String name, String holder, String runId, Instant now, Instant until);

    /** Extends the lease of {@code runId} to {@code until}; false if another replica holds it now, or nobody. */
    boolean renewJobLease(String name, String holder, String runId, Instant until);

    /** Gives the lease of {@code runId} back (its last start stays); nothing if another replica holds it now. */
    void releaseJobLease(String name, String holder, String runId);

    /** The job's lease row as it stands, or empty if no run of the job ever took it. */
    Optional<JobLease> jobLease(String name);

    @Override
    void close();
}
