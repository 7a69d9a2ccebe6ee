package io.stowage.storage.blob.s3;

import io.stowage.storage.oci.Digest;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The key layout of the S3 store, under the configured prefix:
 *
 * <pre>
 * &lt;prefix&gt;blobs/&lt;algorithm&gt;/&lt;hex&gt;         committed blobs, immutable once present
 * &lt;prefix&gt;uploads/&lt;uuid&gt;/state            an upload session: size, parts, hash state (JSON)
 * &lt;prefix&gt;uploads/&lt;uuid&gt;/tail-&lt;n&gt;           bytes after the last full part, as of flush n
 * &lt;prefix&gt;uploads/&lt;uuid&gt;/data             the session's multipart upload, completed at commit
 * &lt;prefix&gt;quarantine/&lt;algorithm&gt;/&lt;hex&gt;-&lt;time&gt;[.json]  blobs the scrub took out of service, with a note
 * </pre>
 *
 * No fan-out directory as on disk: S3 partitions by key itself, and the hex after the algorithm is
 * already evenly spread. Every key is built from a validated {@link Digest} or upload id.
 * Immutable and thread-safe.
 */
final class S3Keys {

    private static final Pattern UPLOAD_ID =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final String STATE = "state";

    private final String prefix;

    S3Keys(String prefix) {
        this.prefix = prefix;
    }

    String blobsPrefix() {
        return prefix + "blobs/";
    }

    String uploadsPrefix() {
        return prefix + "uploads/";
    }

    String blob(Digest digest) {
        return blobsPrefix() + digest.algorithm().prefix() + "/" + digest.hex();
    }

    /** The quarantine name of a blob, before its time suffix. */
    String quarantine(Digest digest) {
        return prefix + "quarantine/" + digest.algorithm().prefix() + "/" + digest.hex();
    }

    String uploadPrefix(String uploadId) {
        if (!isUploadId(uploadId)) {
            throw new IllegalArgumentException("not an upload id: " + uploadId);
        }
        return uploadsPrefix() + uploadId + "/";
    }

    String state(String uploadId) {
        return uploadPrefix(uploadId) + STATE;
    }

    String data(String uploadId) {
        return uploadPrefix(uploadId) + "data";
    }

    String tail(String uploadId, long generation) {
        return uploadPrefix(uploadId) + "tail-" + generation;
    }

    static boolean isUploadId(String text) {
        return text != null && UPLOAD_ID.matcher(text).matches();
    }

    /** The digest a key under {@code blobs/} stands for, or empty for any key we did not write. */
    Optional<Digest> digestOf(String key) {
        if (!key.startsWith(blobsPrefix())) {
            return Optional.empty();
        }
        String rest = key.substring(blobsPrefix().length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        String algorithm = rest.substring(0, slash);
        String hex = rest.substring(slash + 1);
        for (Digest.Algorithm candidate : Digest.Algorithm.values()) {
            if (candidate.prefix().equals(algorithm) && hex.length() == candidate.hexLength()) {
                try {
                    return Optional.of(new Digest(candidate, hex));
                } catch (IllegalArgumentException notHex) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** The upload id whose state object {@code key} is, or empty for any other key. */
    Optional<String> uploadIdOfState(String key) {
        if (!key.startsWith(uploadsPrefix()) || !key.endsWith("/" + STATE)) {
            return Optional.empty();
        }
        String id = key.substring(uploadsPrefix().length(), key.length() - STATE.length() - 1);
        return isUploadId(id) ? Optional.of(id) : Optional.empty();
    }
}
