package io.stowage.storage.oci;

import java.util.Set;

/** The media types the registry stores and negotiates, in one place. */
public final class MediaTypes {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

    /** Manifest types whose children are manifests rather than blobs. */
    public static final Set<String> INDEX_TYPES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);

    /** Every manifest type a PUT may declare. */
    public static final Set<String> MANIFEST_TYPES = Set.of(OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST);

    private MediaTypes() {
    }

    public static boolean isIndex(String mediaType) {
        return INDEX_TYPES.contains(mediaType);
    }
}
