package io.stowage.audit.ship;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Write-once object storage for shipped audit files: S3 with Object Lock in compliance mode (AWS,
 * MinIO, Ceph RGW). Keys are relative to the archive's prefix. Implementations are thread-safe;
 * every method may block on the network and throws {@link IOException} when the store cannot be
 * reached or refuses.
 */
public interface SegmentArchive {

    /**
     * Stores the file under {@code key}, locked against deletion and overwrite until
     * {@code retainUntil}, with its MD5 so the store rejects a body damaged on the way.
     */
    void put(String key, Path file, Instant retainUntil) throws IOException;

    /** Every key under the archive's prefix, relative to it. */
    List<String> list() throws IOException;

    /** Copies the object {@code key} into {@code target}. */
    void get(String key, Path target) throws IOException;

    /** Where the archive is, for messages and logs (never credentials). */
    String describe();
}
