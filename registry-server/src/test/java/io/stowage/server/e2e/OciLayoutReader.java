package io.stowage.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads back an OCI image layout that a client wrote (for example {@code skopeo copy ... oci:DIR:TAG}):
 * which digest a tag names in {@code index.json}, and the blobs under {@code blobs/sha256/}. Stateless
 * apart from the directory it reads; thread-safe.
 */
final class OciLayoutReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;

    OciLayoutReader(Path root) {
        this.root = root;
    }

    /** The digest that {@code index.json} gives for {@code tag}; fails if the tag is absent. */
    String digestOf(String tag) {
        JsonNode index = readJson(root.resolve("index.json"));
        for (JsonNode entry : index.path("manifests")) {
            if (tag.equals(entry.path("annotations").path(OciLayoutBuilder.REF_NAME).asText())) {
                return entry.path("digest").asText();
            }
        }
        throw new AssertionError("tag " + tag + " not in " + root.resolve("index.json") + ": " + index);
    }

    /** The path of a blob, whether or not it exists. */
    Path blobPath(String digest) {
        return root.resolve("blobs").resolve("sha256").resolve(Digests.hex(digest));
    }

    byte[] blob(String digest) {
        try {
            return Files.readAllBytes(blobPath(digest));
        } catch (IOException e) {
            throw new UncheckedIOException("blob " + digest + " missing from " + root, e);
        }
    }

    /** A blob parsed as JSON: a manifest, an index or a config. */
    JsonNode json(String digest) {
        return readJson(blobPath(digest));
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
