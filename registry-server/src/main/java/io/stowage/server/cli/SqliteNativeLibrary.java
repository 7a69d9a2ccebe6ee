package io.stowage.server.cli;

import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;
import org.sqlite.util.OSInfo;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The SQLite driver's native library, unpacked once beside the jar. Left to itself, the driver
 * copies the library out of the jar into the temporary directory at every start and then
 * compares the copy with the original byte by byte (about a tenth of a start's CPU, most of it
 * interpreted code the JIT then compiles). The build's {@code registry warmup} unpacks it into
 * {@code native/sqlite-jdbc-<version>/<os>/<arch>/} next to the jar, and a start points the driver
 * there ({@code org.sqlite.lib.path}). A jar without it, or run with that property already set,
 * starts as before. The folder is as trusted as the jar beside it.
 */
final class SqliteNativeLibrary {
    private SqliteNativeLibrary() {
    }

    /** At start-up: use the unpacked library when there is one for this driver version and platform. */
    static void useUnpacked() {
        if (System.getProperty("org.sqlite.lib.path") != null) {
            return;
        }
        try {
            Optional<Path> folder = folder();
            if (folder.isPresent() && Files.isRegularFile(folder.get().resolve(LibraryLoaderUtil.getNativeLibName()))) {
                System.setProperty("org.sqlite.lib.path", folder.get().toString());
                System.setProperty("org.sqlite.lib.name", LibraryLoaderUtil.getNativeLibName());
            }
        } catch (RuntimeException e) {
            // Anything odd about the jar's location: the driver finds its library the usual way.
        }
    }

    /** At build time: unpacks the library for this platform beside the jar; returns where, or empty when not run from a jar. */
    static Optional<Path> unpack() throws IOException {
        Optional<Path> folder = folder();
        if (folder.isEmpty()) {
            return Optional.empty();
        }
        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            Files.createDirectories(folder.get());
            Path target = folder.get().resolve(LibraryLoaderUtil.getNativeLibName());
            Path temp = Files.createTempFile(folder.get(), ".unpack-", ".tmp");
            try {
                Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
            return Optional.of(target);
        }
    }

    /** {@code <jar folder>/native/sqlite-jdbc-<version>/<os>/<arch>}, or empty when the classes are not in a jar. */
    private static Optional<Path> folder() {
        try {
            Path code = Path.of(SqliteNativeLibrary.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(code) || code.getParent() == null) {
                return Optional.empty();
            }
            return Optional.of(code.getParent().resolve("native").resolve("sqlite-jdbc-" + SQLiteJDBCLoader.getVersion())
                    .resolve(OSInfo.getNativeLibFolderPathForCurrentOS()));
        } catch (URISyntaxException | SecurityException e) {
            return Optional.empty();
        }
    }
}
