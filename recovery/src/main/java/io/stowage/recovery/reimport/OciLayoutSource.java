package io.stowage.recovery.reimport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stowage.recovery.layout.OciLayout;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.Reference;
import io.stowage.storage.oci.RepositoryName;
import io.stowage.storage.oci.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An OCI image layout directory as a source: {@code index.json} names the images, {@code blobs/}
 * holds manifests, configs and layers under their digests. Reads layouts this registry's backups
 * write ({@code org.opencontainers.image.ref.name} = {@code repository:tag}, plus
 * {@link OciLayout#REPOSITORY_ANNOTATION}/{@link OciLayout#TAG_ANNOTATION}) and those of
 * {@code skopeo copy ... oci:DIR:tag} (a plain tag as the ref name) alike. Nothing in the directory
 * is trusted: digests are verified by the importer, and a path is only ever built from a parsed
 * {@link Digest}, so a hostile index cannot point outside {@code blobs/}.
 */
public final class OciLayoutSource implements ContentSource {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** index.json lists descriptors only; anything larger is not an index. */
    private static final long MAX_INDEX_BYTES = 64L * 1024 * 1024;

    private final Path root;
    private final List<Entry> entries;

    private OciLayoutSource(Path root, List<Entry> entries) {
        this.root = root;
        this.entries = List.copyOf(entries);
    }

    /**
     * One image that {@code index.json} names.
     *
     * @param repository the repository the ref name or annotations give, or null (a plain tag, or none)
     * @param tag        the tag, or null for an unnamed descriptor
     * @param mediaType  the descriptor's media type, or null
     * @param deleted    soft-deleted in the registry a backup was taken of ({@link OciLayout#DELETED_ANNOTATION})
     */
    public record Entry(String repository, String tag, Digest digest, String mediaType, long size, boolean deleted) {
    }

    /** Reads {@code root/index.json}; throws when the directory is not an OCI layout. */
    public static OciLayoutSource open(Path root) throws SourceException {
        Path index = root.resolve(OciLayout.INDEX_FILE);
        JsonNode json;
        try {
            if (!Files.isDirectory(root)) {
                throw SourceException.notFound("no directory " + root);
            }
            if (Files.size(index) > MAX_INDEX_BYTES) {
                throw SourceException.failed(index + " is larger than " + MAX_INDEX_BYTES + " bytes");
            }
            json = JSON.readTree(index.toFile());
        } catch (NoSuchFileException e) {
            throw SourceException.notFound(root + " is not an OCI layout: it has no " + OciLayout.INDEX_FILE);
        } catch (SourceException e) {
            throw e;
        } catch (IOException e) {
            throw new SourceException("cannot read " + index + ": " + e.getMessage(), e);
        }
        if (json == null || !json.path("manifests").isArray()) {
            throw SourceException.failed(index + " has no manifests array");
        }
        List<Entry> entries = new ArrayList<>();
        for (JsonNode descriptor : json.path("manifests")) {
            entries.add(entry(descriptor, index));
        }
        return new OciLayoutSource(root, entries);
    }

    /** Every image {@code index.json} names, in its order. */
    public List<Entry> entries() {
        return entries;
    }

    public Path root() {
        return root;
    }

    @Override
    public SourceManifest manifest(String repository, Reference reference, long maxBytes) throws SourceException {
        Digest digest;
        String mediaType;
        if (reference.isDigest()) {
            digest = reference.digest();
            mediaType = entries.stream().filter(e -> e.digest().equals(digest)).map(Entry::mediaType)
                    .filter(type -> type != null).findFirst().orElse(null);
        } else {
            Entry entry = byTag(repository, reference.tag()).orElseThrow(() -> SourceException.notFound(
                    "layout " + root + " names no image " + repository + ":" + reference.tag()
                            + " (nor a plain tag " + reference.tag() + ")"));
            digest = entry.digest();
            mediaType = entry.mediaType();
        }
        Path file = OciLayout.blobPath(root, digest);
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw SourceException.failed("manifest " + digest + " in " + root + " is " + size
                        + " bytes, more than the limit of " + maxBytes);
            }
            return new SourceManifest(Files.readAllBytes(file), mediaType);
        } catch (NoSuchFileException e) {
            throw SourceException.notFound("layout " + root + " has no blob " + digest);
        } catch (IOException e) {
            throw new SourceException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public SourceBlob blob(String repository, Digest digest) throws SourceException {
        Path file = OciLayout.blobPath(root, digest);
        try {
            InputStream in = Files.newInputStream(file);
            return new SourceBlob(in, Files.size(file));
        } catch (NoSuchFileException e) {
            throw SourceException.notFound("layout " + root + " has no blob " + digest);
        } catch (IOException e) {
            throw new SourceException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The image tagged {@code tag}: one whose ref name is {@code repository:tag} first (a backup of
     * many repositories), else one with the plain tag (a layout of one image, as skopeo writes).
     */
    public Optional<Entry> byTag(String repository, String tag) {
        Optional<Entry> exact = entries.stream()
                .filter(e -> tag.equals(e.tag()) && repository.equals(e.repository())).findFirst();
        return exact.isPresent() ? exact
                : entries.stream().filter(e -> tag.equals(e.tag()) && e.repository() == null).findFirst();
    }

    @Override
    public String describe() {
        return "layout " + root;
    }

    @Override
    public void close() {
        // Nothing held open between calls.
    }

    private static Entry entry(JsonNode descriptor, Path index) throws SourceException {
        Digest digest;
        try {
            digest = Digest.parse(descriptor.path("digest").asText(""));
        } catch (RegistryException e) {
            throw SourceException.failed(index + " has a descriptor with an invalid digest: " + e.getMessage());
        }
        String mediaType = descriptor.hasNonNull("mediaType") ? descriptor.get("mediaType").asText() : null;
        long size = descriptor.path("size").asLong(-1);
        JsonNode annotations = descriptor.path("annotations");
        boolean deleted = annotations.hasNonNull(OciLayout.DELETED_ANNOTATION);
        String repository = text(annotations, OciLayout.REPOSITORY_ANNOTATION);
        String tag = text(annotations, OciLayout.TAG_ANNOTATION);
        if (repository != null && tag != null && RepositoryName.isValid(repository) && Tag.isValid(tag)) {
            return new Entry(repository, tag, digest, mediaType, size, deleted);
        }
        String refName = text(annotations, OciLayout.REF_NAME_ANNOTATION);
        if (refName == null) {
            // An untagged manifest of a backup names only its repository.
            String untaggedIn = repository != null && RepositoryName.isValid(repository) ? repository : null;
            return new Entry(untaggedIn, null, digest, mediaType, size, deleted);
        }
        if (Tag.isValid(refName)) {
            return new Entry(null, refName, digest, mediaType, size, deleted);
        }
        int colon = refName.lastIndexOf(':');
        if (colon > 0 && RepositoryName.isValid(refName.substring(0, colon)) && Tag.isValid(refName.substring(colon + 1))) {
            return new Entry(refName.substring(0, colon), refName.substring(colon + 1), digest, mediaType, size, deleted);
        }
        // A ref name that is neither (e.g. a full image reference with a host): import it untagged.
        return new Entry(null, null, digest, mediaType, size, deleted);
    }

    private static String text(JsonNode annotations, String key) {
        JsonNode value = annotations.get(key);
        return value != null && value.isTextual() ? value.asText() : null;
    }
}
