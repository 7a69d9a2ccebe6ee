package io.stowage.storage.registry;

import io.stowage.storage.error.RegistryException;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which upload sessions a request is writing right now. A second request for a busy session is
 * refused instead of queued: a client never has two chunks of one upload in flight, so a second
 * writer is a confused or hostile client. Not bound to threads, because one request's writes run
 * as several tasks on the worker pool. Thread-safe.
 */
final class UploadLocks {
    private final Set<String> busy = ConcurrentHashMap.newKeySet();

    /** Takes the session's lock, or throws {@code BLOB_UPLOAD_INVALID} if another request holds it. */
    Runnable lock(String uploadId) {
        if (!busy.add(uploadId)) {
            throw RegistryException.uploadInvalid("another request is writing upload " + uploadId);
        }
        return () -> busy.remove(uploadId);
    }
}
