package io.stowage.recovery.backup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The durable file steps of a backup: a small file replaced atomically (temp file in the layout's
 * own {@code stowage/tmp}, fsync, rename, directory fsync), so a reader or a crash sees the old
 * file or the new one and never half of one. The temp files live on the same filesystem as their
 * targets, which a rename needs to be atomic. Stateless and thread-safe.
 */
final class LayoutFiles {

    private LayoutFiles() {
    }

    /** A fresh temp file name under {@code tmpDir}; the directory is created if missing. */
    static Path tempFile(Path tmpDir) throws IOException {
        Files.createDirectories(tmpDir);
        return tmpDir.resolve(UUID.randomUUID() + ".tmp");
    }

    /** Replaces {@code target} with {@code content} atomically and durably. */
    static void writeAtomically(Path tmpDir, Path target, byte[] content) throws IOException {
        Path temp = tempFile(tmpDir);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            publish(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
        forceDirectory(target.getParent());
    }

    /** Renames a complete, forced temp file onto {@code target}; the caller forces the directory. */
    static void publish(Path temp, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Makes the entries created or renamed in {@code dir} durable (an fsync of the directory on Linux and macOS). */
    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Removes what an interrupted run left in {@code tmpDir}: nothing there was ever published. */
    static void clearTemp(Path tmpDir) throws IOException {
        if (!Files.isDirectory(tmpDir)) {
            return;
        }
        try (var entries = Files.newDirectoryStream(tmpDir)) {
            for (Path entry : entries) {
                Files.deleteIfExists(entry);
            }
        }
    }
}
