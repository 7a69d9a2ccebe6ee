package io.stowage.storage.blob;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The running hash of every active upload session, keyed by upload id, so that the next request
 * of a session (a different {@link FilesystemUpload} object) continues hashing where the previous
 * one stopped instead of re-reading the bytes received so far.
 *
 * <p>The map is a cache: the data file is the truth. A state that is missing (the process
 * restarted, the store was closed) or covers a different number of bytes than the file holds is
 * rebuilt by reading the file once.
 *
 * <p>Thread-safe.
 */
final class RunningHashes {

    private static final Logger log = LoggerFactory.getLogger(RunningHashes.class);

    private final ConcurrentMap<String, RunningHash> byUploadId = new ConcurrentHashMap<>();

    /** Registers a new, empty session. */
    void start(String uploadId) {
        byUploadId.put(uploadId, RunningHash.empty());
    }

    /**
     * The state that covers exactly the bytes of {@code data}, rebuilt from the file when the
     * cached one is missing or stale. The caller holds the session (one thread per session).
     */
    RunningHash current(String uploadId, FileChannel data) throws IOException {
        RunningHash cached = byUploadId.get(uploadId);
        long fileSize = data.size();
        if (cached != null && cached.bytesCovered() == fileSize) {
            return cached;
        }
        RunningHash rebuilt = RunningHash.ofFile(data);
        byUploadId.put(uploadId, rebuilt);
        log.info("rebuilt upload hash from file upload={} size={} reason={}",
                uploadId, rebuilt.bytesCovered(), cached == null ? "not-in-memory" : "stale");
        return rebuilt;
    }

    /**
     * Removes and returns the session's state, for a commit that finishes it; a failed commit
     * leaves the session without a cached state, so the next attempt rebuilds it from the file.
     */
    RunningHash take(String uploadId, FileChannel data) throws IOException {
        RunningHash state = current(uploadId, data);
        byUploadId.remove(uploadId, state);
        return state;
    }

    void forget(String uploadId) {
        byUploadId.remove(uploadId);
    }

    void clear() {
        byUploadId.clear();
    }
}
