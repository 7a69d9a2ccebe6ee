package io.stowage.server.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void replaceWritesAnOwnerOnlyFileAndLeavesNoTemporaryFile() throws Exception {
        Path target = dir.resolve("users.htpasswd");
        Files.writeString(target, "old\n");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        Object inodeBefore = Files.readAttributes(target, java.nio.file.attribute.BasicFileAttributes.class).fileKey();

        AtomicFiles.replaceOwnerOnly(target, "new\n".getBytes(StandardCharsets.UTF_8));

        assertEquals("new\n", Files.readString(target));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        Object inodeAfter = Files.readAttributes(target, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        assertEquals(false, inodeBefore.equals(inodeAfter), "a new file renamed over the old one, not an edit in place");
        assertEquals(List.of(target), list());
    }

    @Test
    void createRefusesToOverwriteAndKeepsTheFirstContent() throws Exception {
        Path target = dir.resolve("token-signing.pem");
        AtomicFiles.createOwnerOnly(target, "first".getBytes(StandardCharsets.UTF_8));
        assertThrows(FileAlreadyExistsException.class,
                () -> AtomicFiles.createOwnerOnly(target, "second".getBytes(StandardCharsets.UTF_8)));
        assertEquals("first", Files.readString(target));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals(List.of(target), list(), "the loser's temporary file is gone too");
    }

    private List<Path> list() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
