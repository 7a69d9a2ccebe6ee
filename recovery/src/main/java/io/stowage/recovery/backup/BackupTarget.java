package io.stowage.recovery.backup;

import io.stowage.recovery.layout.OciLayout;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The directory a backup writes: checked before a run starts ({@link #check}, which writes
 * nothing) and prepared when it runs ({@link #prepare}).
 *
 * <p>A directory is usable when it does not exist yet (its nearest existing parent is a writable
 * directory), is empty, or holds a backup of this same registry ({@code stowage/backup-state.json}
 * with this registry's id). Anything else is refused with {@code BACKUP_TARGET_INVALID}: a file,
 * a directory with other content, an OCI layout another tool wrote (its index.json would be
 * replaced), or a backup of another registry (its watermarks mean nothing here). Stateless.
 */
public final class BackupTarget {
    static final String STATE = OciLayout.STOWAGE_DIR + "/" + BackupState.FILE;
    static final String TMP = OciLayout.STOWAGE_DIR + "/tmp";

    private BackupTarget() {
    }

    /**
     * Parses and checks a directory named by a caller; {@code BACKUP_TARGET_INVALID} says what is
     * wrong. Returns the normalized absolute path.
     */
    public static Path check(String to, String registryId) {
        if (to == null || to.isBlank()) {
            throw invalid("name the directory to back up to, e.g. {\"to\": \"/var/backups/registry\"}", to);
        }
        Path path;
        try {
            path = Path.of(to);
        } catch (InvalidPathException e) {
            throw invalid("not a valid path: " + e.getMessage(), to);
        }
        if (!path.isAbsolute()) {
            throw invalid("the directory must be an absolute path on the registry's host", to);
        }
        path = path.normalize();
        existingState(path, registryId);
        return path;
    }

    /** The state of the backup in {@code root}, empty for a new or empty directory; refuses what {@link #check} refuses. */
    static Optional<BackupState> existingState(Path root, String registryId) {
        String to = root.toString();
        if (!Files.exists(root)) {
            Path parent = root.getParent();
            while (parent != null && !Files.exists(parent)) {
                parent = parent.getParent();
            }
            if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
                throw invalid("cannot create the directory: " + parent + " is not a writable directory", to);
            }
            return Optional.empty();
        }
        if (!Files.isDirectory(root)) {
            throw invalid("exists and is not a directory", to);
        }
        if (!Files.isWritable(root)) {
            throw invalid("the registry may not write to the directory", to);
        }
        try {
            if (isEmpty(root)) {
                return Optional.empty();
            }
            Path stateFile = root.resolve(STATE);
            if (!Files.isRegularFile(stateFile)) {
                throw invalid(Files.exists(root.resolve(OciLayout.LAYOUT_FILE))
                        ? "holds an OCI layout that no Stowage backup wrote (its index.json would be replaced); choose an empty directory"
                        : "is not empty and is not an OCI layout; choose an empty directory or an earlier backup", to);
            }
            BackupState state;
            try {
                state = BackupState.read(stateFile);
            } catch (IOException e) {
                throw invalid("its " + STATE + " cannot be read: " + e.getMessage(), to);
            }
            if (!state.registryId().equals(registryId)) {
                throw new RegistryException(ErrorCode.BACKUP_TARGET_INVALID, "the directory holds a backup of another registry",
                        Map.of("to", to, "registryId", state.registryId(), "thisRegistryId", registryId));
            }
            return Optional.of(state);
        } catch (IOException e) {
            throw invalid("cannot be read: " + e.getMessage(), to);
        }
    }

    /**
     * Makes {@code root} a layout ready for a run and returns its state: for a new directory the
     * state file is written first (so an interrupted first run is recognised as ours), then the
     * {@code oci-layout} marker; temp files of an interrupted run are removed.
     */
    static BackupState prepare(Path root, String registryId) throws IOException {
        Optional<BackupState> existing = existingState(root, registryId);
        Path tmp = root.resolve(TMP);
        Files.createDirectories(tmp);
        LayoutFiles.clearTemp(tmp);
        BackupState state = existing.orElse(BackupState.fresh(registryId));
        if (existing.isEmpty()) {
            LayoutFiles.writeAtomically(tmp, root.resolve(STATE), state.toJson());
            LayoutFiles.forceDirectory(root);
        }
        Path marker = root.resolve(OciLayout.LAYOUT_FILE);
        if (!Files.exists(marker)) {
            LayoutFiles.writeAtomically(tmp, marker,
                    ("{\"imageLayoutVersion\":\"" + OciLayout.LAYOUT_VERSION + "\"}").getBytes(StandardCharsets.UTF_8));
        }
        Files.createDirectories(root.resolve(OciLayout.BLOBS_DIR));
        return state;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static RegistryException invalid(String message, String to) {
        return new RegistryException(ErrorCode.BACKUP_TARGET_INVALID, "backup directory " + (to == null ? "" : to + " ")
                + message, to == null ? null : Map.of("to", to));
    }
}
