package io.stowage.storage.registry;

import io.stowage.storage.error.RegistryException;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** {@link UploadLocks} in memory: the set of sessions a request is writing. A hold lasts until released. Thread-safe. */
final class InProcessUploadLocks implements UploadLocks {
    private final Set<String> busy = ConcurrentHashMap.newKeySet();

    @Override
    public Hold lock(String uploadId) {
        if (!busy.add(uploadId)) {
            throw RegistryException.uploadInvalid("another request is writing upload " + uploadId);
        }
        return new Hold() {
            // Nothing to keep alive or confirm: only release() ends this hold.
            @Override
            public void keepAlive() {
            }

            @Override
            public void confirm() {
            }

            @Override
            public boolean lost() {
                return false;
            }

            @Override
            public void release() {
                busy.remove(uploadId);
            }
        };
    }
}
