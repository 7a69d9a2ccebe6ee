package io.stowage.server.auth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes secret files (credentials, private keys) so that a reader sees the old content or the new,
 * never a mix or a torn file, even across a crash: the bytes go to a temporary file beside the
 * target, created readable by its owner only (0600), forced to disk, then renamed over the target,
 * and the directory is forced too. Stateless.
 */
public final class AtomicFiles {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private AtomicFiles() {
    }

    /** Replaces (or creates) {@code target} with {@code content}, mode 0600. */
    public static void replaceOwnerOnly(Path target, byte[] content) throws IOException {
        Path temp = writeTemp(target, content);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        forceDirectory(target);
    }

    /**
     * Creates {@code target} with {@code content}, mode 0600, unless it exists: for a key that two
     * processes might create at once, only one of them wins, and the loser reads the winner's.
     *
     * @throws FileAlreadyExistsException when {@code target} exists
     */
    public static void createOwnerOnly(Path target, byte[] content) throws IOException {
        Path temp = writeTemp(target, content);
        try {
            // A hard link publishes the finished file under its name atomically and fails when the
            // name is taken, which a rename would silently overwrite.
            Files.createLink(target, temp);
        } catch (UnsupportedOperationException noHardLinks) {
            // Without hard links: a plain move refuses a taken name (an atomic rename would replace
            // it); only a creation in the instant between its check and its rename can slip past.
            Files.move(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
        forceDirectory(target);
    }

    private static Path writeTemp(Path target, byte[] content) throws IOException {
        Path dir = directoryOf(target);
        String prefix = "." + target.getFileName() + ".";
        Path temp = posix()
                ? Files.createTempFile(dir, prefix, ".tmp", ownerOnly())
                : Files.createTempFile(dir, prefix, ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return temp;
    }

    private static void forceDirectory(Path target) throws IOException {
        try (FileChannel dir = FileChannel.open(directoryOf(target), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException notSupported) {
            // Some platforms cannot open a directory; the rename itself is still atomic there.
        }
    }

    private static Path directoryOf(Path target) {
        Path parent = target.toAbsolutePath().getParent();
        return parent == null ? target.toAbsolutePath().getRoot() : parent;
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static FileAttribute<Set<PosixFilePermission>> ownerOnly() {
        return PosixFilePermissions.asFileAttribute(OWNER_ONLY);
    }
}
