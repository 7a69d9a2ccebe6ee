package io.stowage.storage.blob.s3;

import io.stowage.storage.blob.BlobUpload;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.oci.Digest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One upload session of an {@link S3BlobStore}, as one request sees it.
 *
 * <p>Where the bytes are: full parts of an S3 multipart upload for {@code uploads/<id>/data}; the
 * bytes after the last full part in a local {@link Spool} while a request appends, and in a tail
 * object ({@code uploads/<id>/tail-<n>}) between requests; the SHA-256 state, the part list and the
 * size in the {@code state} object (see {@link UploadSessionState}). {@link #flush} writes the tail
 * and then the state: the state object is the one write that moves the session forward, so a
 * replica that resumes it sees either the old session or the new one, never a mix.
 *
 * <p>Commit (invariant 1): the digest comes from the running hash (or, for SHA-512, from reading
 * the assembled bytes back); only if it matches is anything written under {@code blobs/}. A session
 * of less than one part is put there directly from the spool; a larger one is completed as
 * {@code uploads/<id>/data} and then copied inside S3 ({@link ServerSideCopy}), because S3 has no
 * rename and the final key is only known once the digest is. A blob already stored under the digest
 * is replaced by the bytes just verified (as the filesystem store does): verified bytes are never
 * worse than what is there, and a damaged copy is healed by the next push instead of acknowledged.
 *
 * <p>Used by one thread at a time, as {@link BlobUpload} requires; the server serialises requests
 * of a session.
 */
final class S3Upload implements BlobUpload {

    private static final Logger log = LoggerFactory.getLogger(S3Upload.class);

    /** S3's limit on the parts of one multipart upload. */
    static final int MAX_PARTS = 10_000;
    /** Parts double in size every this many, so the part limit does not cap the blob size. */
    static final int PARTS_PER_SIZE_STEP = 1_000;

    /** What every upload of one store shares. */
    record Context(S3Bucket bucket, S3Keys keys, ServerSideCopy copy, Clock clock, Path spoolDir, long partSize) {
    }

    private final String id;
    private final Context context;
    private UploadSessionState stored;
    private ResumableSha256 hash;
    private long size;
    private List<UploadSessionState.Part> parts;
    private String multipartId;
    /** The bytes after the last full part; null while they are only in the tail object. */
    private Spool spool;
    /** Appended since the last flush or load. */
    private boolean dirty;
    /** Committed or cancelled through this object. */
    private boolean gone;

    S3Upload(String id, Context context, UploadSessionState stored) {
        this.id = id;
        this.context = context;
        resetTo(stored);
    }

    private void resetTo(UploadSessionState state) {
        stored = state;
        hash = ResumableSha256.restore(state.sha256State());
        size = state.size();
        parts = new ArrayList<>(state.parts());
        multipartId = state.multipartId();
        dirty = false;
        closeSpool();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public long size() {
        requireOpen();
        return size;
    }

    @Override
    public void append(ByteBuffer bytes) throws IOException {
        requireOpen();
        Spool part = loadedSpool();
        while (bytes.hasRemaining()) {
            long target = partTarget(parts.size() + 1);
            if (part.size() >= target) {
                // A tail stored under a larger storage.s3.partSize (another replica, an earlier
                // configuration): it is already a valid part.
                sendPart(part);
                continue;
            }
            int n = (int) Math.min(target - part.size(), bytes.remaining());
            ByteBuffer slice = bytes.slice().limit(n);
            hash.update(slice);
            part.write(slice);
            bytes.position(bytes.position() + n);
            size += n;
            dirty = true;
            if (part.size() == target) {
                sendPart(part);
            }
        }
    }

    /**
     * Writes the staged tail under a new name, then the state that names it, then removes the tail
     * the previous state named. A crash between the steps leaves an unnamed tail object, removed
     * with the session.
     */
    @Override
    public void flush() throws IOException {
        requireOpen();
        if (!dirty) {
            return;
        }
        long generation = stored.generation() + 1;
        String tailKey = null;
        if (spool != null && spool.size() > 0) {
            tailKey = context.keys().tail(id, generation);
            context.bucket().put(tailKey, spool.file(), spool.size(), spool.contentMd5());
        }
        UploadSessionState next = new UploadSessionState(UploadSessionState.VERSION, size, generation,
                context.clock().millis(), multipartId, parts, tailKey, hash.encodedState());
        context.bucket().put(context.keys().state(id), next.toJson());
        String previousTail = stored.tailKey();
        stored = next;
        dirty = false;
        // The request ends here: release the local file; a later append in this object reloads the tail.
        closeSpool();
        if (previousTail != null) {
            deleteQuietly(previousTail);
        }
        log.debug("upload flushed upload={} size={} parts={}", id, size, parts.size());
    }

    @Override
    public Committed commit(Digest expected) throws IOException {
        requireOpen();
        String blobKey = context.keys().blob(expected);
        Spool last = loadedSpool();
        Digest computed;
        if (parts.isEmpty()) {
            // Less than one part: every byte is in the spool, and one PUT publishes it.
            computed = expected.algorithm() == Digest.Algorithm.SHA256 ? hash.finish()
                    : digestOfFile(last.file(), expected.algorithm());
            requireMatch(expected, computed);
            context.bucket().put(blobKey, last.file(), last.size(), last.contentMd5());
        } else {
            if (last.size() > 0) {
                sendPart(last); // the last part may be smaller than the minimum
            }
            String dataKey = context.keys().data(id);
            context.bucket().completeMultipart(dataKey, multipartId, completedParts());
            computed = expected.algorithm() == Digest.Algorithm.SHA256 ? hash.finish()
                    : digestOfObject(dataKey, expected.algorithm());
            requireMatch(expected, computed);
            context.copy().copy(dataKey, blobKey, size);
        }
        gone = true;
        closeSpool();
        try {
            deleteSession();
        } catch (IOException | RuntimeException e) {
            // The blob is safe; what is left of the session is an abandoned upload, purged later.
            log.warn("failed to remove committed upload upload={} error={}", id, e.toString());
        }
        log.info("blob committed digest={} size={} upload={}", expected, size, id);
        return new Committed(expected, size);
    }

    private void requireMatch(Digest expected, Digest computed) throws IOException {
        if (computed.equals(expected)) {
            return;
        }
        gone = true;
        closeSpool();
        deleteSession();
        log.info("upload rejected, digest mismatch upload={} expected={} computed={} size={}",
                id, expected, computed, size);
        throw RegistryException.digestInvalid("digest mismatch: expected " + expected + ", computed " + computed);
    }

    /** Only back to the last flush, where the failed request started; see {@link BlobUpload#truncate}. */
    @Override
    public void truncate(long target) throws IOException {
        requireOpen();
        if (target == size) {
            return;
        }
        if (target != stored.size()) {
            throw new IllegalArgumentException("an S3 upload can only be cut back to its last flushed size "
                    + stored.size() + ", not " + target + " (upload " + id + " has " + size + ")");
        }
        String startedHere = multipartId != null && !multipartId.equals(stored.multipartId()) ? multipartId : null;
        resetTo(stored);
        if (startedHere != null) {
            context.bucket().abortMultipart(context.keys().data(id), startedHere);
        }
        // Parts this request sent under the stored multipart upload are simply not listed; the next
        // request overwrites them by number, and completion drops any that are not named.
        log.info("upload cut back after a failed request upload={} size={}", id, target);
    }

    @Override
    public void cancel() throws IOException {
        gone = true;
        closeSpool();
        deleteSession();
        log.info("upload cancelled upload={}", id);
    }

    // ---- parts -------------------------------------------------------------------------------

    /** Bytes of part {@code number}: the configured size, doubled every thousand parts, at most 5 GiB. */
    long partTarget(int number) {
        if (number > MAX_PARTS) {
            throw RegistryException.sizeInvalid("upload " + id + " is larger than " + MAX_PARTS
                    + " parts of S3 can hold with storage.s3.partSize=" + context.partSize());
        }
        int doublings = (number - 1) / PARTS_PER_SIZE_STEP;
        return Math.min(context.partSize() << doublings, S3Settings.MAX_PART_SIZE);
    }

    private void sendPart(Spool part) throws IOException {
        String dataKey = context.keys().data(id);
        if (multipartId == null) {
            multipartId = context.bucket().startMultipart(dataKey);
        }
        int number = parts.size() + 1;
        String etag = context.bucket().uploadPart(dataKey, multipartId, number, part.file(), part.size(),
                part.contentMd5());
        parts.add(new UploadSessionState.Part(number, etag, part.size()));
        part.clear();
    }

    private List<CompletedPart> completedParts() {
        List<CompletedPart> completed = new ArrayList<>(parts.size());
        for (UploadSessionState.Part part : parts) {
            completed.add(CompletedPart.builder().partNumber(part.number()).eTag(part.etag()).build());
        }
        return completed;
    }

    /** The spool with the stored tail in it, loaded on first use by this object. */
    private Spool loadedSpool() throws IOException {
        if (spool != null) {
            return spool;
        }
        Spool loaded = new Spool(context.spoolDir());
        try {
            if (stored.tailKey() != null) {
                try (InputStream tail = context.bucket().get(stored.tailKey())) {
                    loaded.write(tail);
                }
            }
            if (loaded.size() != stored.tailSize()) {
                throw new IOException("upload " + id + ": tail object " + stored.tailKey() + " has " + loaded.size()
                        + " bytes, the session's state says " + stored.tailSize());
            }
        } catch (IOException | RuntimeException e) {
            loaded.close();
            throw e;
        }
        spool = loaded;
        return spool;
    }

    private void closeSpool() {
        if (spool == null) {
            return;
        }
        try {
            spool.close();
        } catch (IOException e) {
            log.warn("failed to remove upload spool file={} error={}", spool.file(), e.toString());
        }
        spool = null;
    }

    // ---- session objects ---------------------------------------------------------------------

    /**
     * Aborts the session's multipart uploads (the ones it knows, and any a crash kept it from
     * recording) and deletes its objects, the state last: until then the session is still listed,
     * so an interrupted removal is finished by the purge of abandoned uploads.
     */
    private void deleteSession() throws IOException {
        String prefix = context.keys().uploadPrefix(id);
        String dataKey = context.keys().data(id);
        Set<String> multipartIds = new LinkedHashSet<>();
        if (multipartId != null) {
            multipartIds.add(multipartId);
        }
        if (stored.multipartId() != null) {
            multipartIds.add(stored.multipartId());
        }
        try {
            for (MultipartUpload upload : context.bucket().multipartUploads(prefix)) {
                if (dataKey.equals(upload.key())) {
                    multipartIds.add(upload.uploadId());
                }
            }
        } catch (IOException e) {
            log.debug("could not list multipart uploads upload={} error={}", id, e.toString());
        }
        for (String multipart : multipartIds) {
            context.bucket().abortMultipart(dataKey, multipart);
        }
        String stateKey = context.keys().state(id);
        List<String> keys = new ArrayList<>();
        context.bucket().list(prefix, object -> keys.add(object.key()));
        for (String key : keys) {
            if (!key.equals(stateKey)) {
                context.bucket().delete(key);
            }
        }
        context.bucket().delete(stateKey);
    }

    private void deleteQuietly(String key) {
        try {
            context.bucket().delete(key);
        } catch (IOException e) {
            log.warn("failed to delete replaced upload object key={} error={}", key, e.toString());
        }
    }

    private Digest digestOfObject(String key, Digest.Algorithm algorithm) throws IOException {
        try (InputStream in = context.bucket().get(key)) {
            return digestOf(in, algorithm);
        }
    }

    private static Digest digestOfFile(Path file, Digest.Algorithm algorithm) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return digestOf(in, algorithm);
        }
    }

    private static Digest digestOf(InputStream in, Digest.Algorithm algorithm) throws IOException {
        MessageDigest digest = algorithm.newMessageDigest();
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            digest.update(buffer, 0, n);
        }
        return Digest.fromBytes(algorithm, digest.digest());
    }

    private void requireOpen() {
        if (gone) {
            throw RegistryException.uploadUnknown(id);
        }
    }
}
