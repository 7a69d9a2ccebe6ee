package io.stowage.storage.blob;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The fsync steps that make a rename survive a crash: forcing a directory so that the entries
 * created, renamed or removed in it are on disk, and creating a directory durably.
 *
 * <p>Forcing a directory opens it read-only and calls {@link FileChannel#force}; that is an
 * {@code fsync(2)} on the directory on Linux and macOS (the platforms this registry runs on).
 * Stateless and thread-safe.
 */
final class Durability {

    private Durability() {
    }

    /** Makes the entries of {@code dir} durable. */
    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /**
     * Creates {@code dir} if it is missing and makes its entry in the parent durable. The parent
     * is forced even when another thread won the race to create {@code dir}: that thread may not
     * have forced it yet, and a blob renamed into {@code dir} is only safe once it has been.
     */
    static void createDirectory(Path dir) throws IOException {
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException alreadyThere) {
            if (!Files.isDirectory(dir)) {
                throw alreadyThere;
            }
        }
        forceDirectory(dir.getParent());
    }
}
