package io.stowage.storage.blob;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stowage.storage.oci.Digest;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where a {@link FilesystemBlobStore} keeps blobs it took out of service:
 * {@code quarantine/<algorithm>/<hex>-<time>} with a sidecar {@code <hex>-<time>.json} saying why,
 * when, and what the bytes hash to now. Nothing here is ever deleted by the registry; an operator
 * does that once the blob is repaired (docs/recovery.md, "Scrub findings").
 *
 * <p>The sidecar is written and forced before the blob moves, so a crash leaves at worst a note
 * without bytes, never bytes without a note. Names carry the time (and a counter on a clash), so
 * the same digest quarantined twice keeps both copies. Thread-safe.
 */
final class QuarantineArea {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter NAME_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter NOTE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final BlobLayout layout;
    private final BlobPublisher publisher;

    QuarantineArea(BlobLayout layout, BlobPublisher publisher) {
        this.layout = layout;
        this.publisher = publisher;
    }

    /** Serialised: two quarantines of the same digest in the same millisecond must not pick one name. */
    synchronized Optional<String> quarantine(Digest digest, BlobStore.QuarantineNote note) throws IOException {
        Optional<Long> size = sizeOf(layout.blobFile(digest));
        if (size.isEmpty()) {
            return Optional.empty();
        }
        Durability.createDirectory(layout.quarantineRoot());
        Path dir = layout.quarantineDir(digest.algorithm());
        Durability.createDirectory(dir);
        Path target = freeName(dir, digest.hex() + "-" + NAME_TIME.format(note.at()));
        Path sidecar = target.resolveSibling(target.getFileName() + ".json");
        writeNote(sidecar, digest, size.get(), note);
        if (!publisher.withdraw(digest, target)) {
            // Gone meanwhile (collected): nothing was quarantined, so no note either.
            Files.deleteIfExists(sidecar);
            return Optional.empty();
        }
        return Optional.of(target.toString());
    }

    private static Path freeName(Path dir, String base) {
        Path candidate = dir.resolve(base);
        for (int n = 1; Files.exists(candidate) || Files.exists(dir.resolve(candidate.getFileName() + ".json")); n++) {
            candidate = dir.resolve(base + "-" + n);
        }
        return candidate;
    }

    private static void writeNote(Path sidecar, Digest digest, long size, BlobStore.QuarantineNote note)
            throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("digest", digest.toString());
        body.put("actualDigest", note.actualDigest() == null ? null : note.actualDigest().toString());
        body.put("size", size);
        body.put("reason", note.reason());
        body.put("quarantinedAt", NOTE_TIME.format(note.at()));
        Path temp = sidecar.resolveSibling(sidecar.getFileName() + ".tmp");
        Files.write(temp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body));
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temp, sidecar, StandardCopyOption.ATOMIC_MOVE);
        Durability.forceDirectory(sidecar.getParent());
    }

    private static Optional<Long> sizeOf(Path file) throws IOException {
        try {
            return Optional.of(Files.size(file));
        } catch (java.nio.file.NoSuchFileException absent) {
            return Optional.empty();
        }
    }
}
