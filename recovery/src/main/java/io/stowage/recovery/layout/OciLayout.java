package io.stowage.recovery.layout;

import io.stowage.storage.oci.Digest;

import java.nio.file.Path;

/**
 * The names of the OCI image layout (image-spec {@code image-layout.md}) that backups write and
 * imports read, so {@code skopeo copy oci:DIR:REF}, {@code umoci} and this registry all read the
 * same directory: {@code oci-layout}, {@code index.json}, {@code blobs/<algorithm>/<hex>}, plus
 * this registry's own files under {@code stowage/}, which other tools ignore.
 *
 * <p>Each tag of the registry is one descriptor in {@code index.json} whose
 * {@code org.opencontainers.image.ref.name} annotation is {@code repository:tag} (what
 * {@code skopeo copy oci:DIR:team/app:v1} looks up), with the repository and tag also given
 * separately in {@link #REPOSITORY_ANNOTATION} and {@link #TAG_ANNOTATION}.
 */
public final class OciLayout {
    /** The file that marks a directory as an OCI layout, and its content. */
    public static final String LAYOUT_FILE = "oci-layout";
    public static final String LAYOUT_VERSION = "1.0.0";
    public static final String INDEX_FILE = "index.json";
    public static final String BLOBS_DIR = "blobs";

    /** Standard annotation naming a descriptor in index.json; skopeo's {@code oci:DIR:REF} matches on it. */
    public static final String REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";
    public static final String REPOSITORY_ANNOTATION = "io.stowage.repository";
    public static final String TAG_ANNOTATION = "io.stowage.tag";
    /**
     * On a descriptor of a manifest that was soft-deleted in the registry a backup was taken of (its
     * value is the deletion time): a backup keeps it so it can still be restored, an import leaves it out.
     */
    public static final String DELETED_ANNOTATION = "io.stowage.deleted";

    /** This registry's own files inside a layout (tag journal, backup state); other tools ignore them. */
    public static final String STOWAGE_DIR = "stowage";

    private OciLayout() {
    }

    /** Where a blob (layer, config or manifest) lives inside the layout rooted at {@code root}. */
    public static Path blobPath(Path root, Digest digest) {
        return root.resolve(BLOBS_DIR).resolve(digest.algorithm().prefix()).resolve(digest.hex());
    }

    /** The ref name of a tag in index.json: {@code repository:tag}. */
    public static String refName(String repository, String tag) {
        return repository + ":" + tag;
    }
}
