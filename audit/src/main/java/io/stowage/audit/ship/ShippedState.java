package io.stowage.audit.ship;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a chain has shipped, in {@value #FILE} beside it: the number of the newest segment in the
 * archive (segments ship in order, none skipped, so one number says it all) and the id of the
 * public key shipped. Replaced by temp file, fsync and rename, so a crash leaves the old state or
 * the new, and at worst a segment is shipped twice (the second is a new version of a locked
 * object; the first stays). Not thread-safe: the shipper's thread owns it.
 */
final class ShippedState {
    static final String FILE = "shipped.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private long throughSegment;
    private String publicKeyId;

    private ShippedState(Path file, long throughSegment, String publicKeyId) {
        this.file = file;
        this.throughSegment = throughSegment;
        this.publicKeyId = publicKeyId;
    }

    static ShippedState load(Path chainDirectory) throws IOException {
        Path file = chainDirectory.resolve(FILE);
        if (!Files.exists(file)) {
            return new ShippedState(file, 0, null);
        }
        JsonNode node = JSON.readTree(Files.readAllBytes(file));
        if (node == null || !node.path("throughSegment").canConvertToLong()) {
            throw new IOException(file + " is not a shipping state; delete it to ship every sealed segment again");
        }
        return new ShippedState(file, node.path("throughSegment").asLong(), node.path("publicKeyId").asText(null));
    }

    long throughSegment() {
        return throughSegment;
    }

    String publicKeyId() {
        return publicKeyId;
    }

    void shippedSegment(long number) throws IOException {
        throughSegment = number;
        save();
    }

    void shippedPublicKey(String keyId) throws IOException {
        publicKeyId = keyId;
        save();
    }

    private void save() throws IOException {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("throughSegment", throughSegment);
        state.put("publicKeyId", publicKeyId);
        Path temp = file.resolveSibling(FILE + ".tmp");
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsString(state).getBytes(StandardCharsets.UTF_8)));
            out.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
