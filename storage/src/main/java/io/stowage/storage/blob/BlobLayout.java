package io.stowage.storage.blob;

import io.stowage.storage.oci.Digest;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where each thing lives under the data directory of a {@link FilesystemBlobStore} (the tree is
 * drawn there), and which names found on disk are ours. Every path handed out is built from a
 * validated {@link Digest} or a validated upload id, so no caller-supplied text can point outside
 * the root.
 *
 * <p>Immutable and thread-safe.
 */
final class BlobLayout {

    static final String BLOBS = "blobs";
    static final String UPLOADS = "uploads";
    static final String UPLOAD_DATA = "data";
    static final String QUARANTINE = "quarantine";

    /** Exactly what {@link java.util.UUID#toString()} produces: lowercase, hyphenated, nothing else. */
    private static final Pattern UPLOAD_ID =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern FAN_OUT_DIR = Pattern.compile("[0-9a-f]{2}");

    private final Path root;
    private final Path blobs;
    private final Path uploads;
    private final Path quarantine;

    BlobLayout(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.blobs = this.root.resolve(BLOBS);
        this.uploads = this.root.resolve(UPLOADS);
        this.quarantine = this.root.resolve(QUARANTINE);
    }

    Path root() {
        return root;
    }

    Path blobsDir() {
        return blobs;
    }

    Path uploadsDir() {
        return uploads;
    }

    /**
     * {@code quarantine/<algorithm>/}: blobs taken out of service, beside {@code blobs/} on the same
     * filesystem so that quarantining is a rename, and outside it so that nothing that lists or
     * collects blobs ever sees them.
     */
    Path quarantineDir(Digest.Algorithm algorithm) {
        return quarantine.resolve(algorithm.prefix());
    }

    Path quarantineRoot() {
        return quarantine;
    }

    Path algorithmDir(Digest.Algorithm algorithm) {
        return blobs.resolve(algorithm.prefix());
    }

    /** {@code blobs/<algorithm>/<first two hex>/<hex>}: the fan-out keeps directories small. */
    Path blobFile(Digest digest) {
        return algorithmDir(digest.algorithm()).resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
    }

    /** Only call with an id that passed {@link #isUploadId}. */
    Path uploadDir(String uploadId) {
        if (!isUploadId(uploadId)) {
            throw new IllegalArgumentException("not an upload id: " + uploadId);
        }
        return uploads.resolve(uploadId);
    }

    Path uploadData(String uploadId) {
        return uploadDir(uploadId).resolve(UPLOAD_DATA);
    }

    static boolean isUploadId(String text) {
        return text != null && UPLOAD_ID.matcher(text).matches();
    }

    static boolean isFanOutDir(String name) {
        return FAN_OUT_DIR.matcher(name).matches();
    }

    /**
     * The digest a file under {@code blobs/<algorithm>/<fanOut>/} stands for, or empty when its
     * name is not a well-formed digest of that algorithm or sits in the wrong fan-out directory
     * (a stray or half-copied file an operator left behind, never one of ours).
     */
    static Optional<Digest> digestOf(Digest.Algorithm algorithm, String fanOut, String fileName) {
        if (fileName.length() != algorithm.hexLength() || !fileName.startsWith(fanOut)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Digest(algorithm, fileName));
        } catch (IllegalArgumentException notHex) {
            return Optional.empty();
        }
    }
}
