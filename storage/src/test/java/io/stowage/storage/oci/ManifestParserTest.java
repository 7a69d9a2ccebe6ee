package io.stowage.storage.oci;

import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ManifestParserTest {
    private static final String D1 = Digest.sha256(new byte[]{1}).toString();
    private static final String D2 = Digest.sha256(new byte[]{2}).toString();
    private static final String D3 = Digest.sha256(new byte[]{3}).toString();

    private static ParsedManifest parse(String json, String contentType) {
        return ManifestParser.parse(json.getBytes(StandardCharsets.UTF_8), contentType);
    }

    @Test
    void imageManifestNamesConfigAndLayersButNotForeignLayers() {
        ParsedManifest m = parse("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + D1 + "\",\"size\":1},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + D2 + "\",\"size\":1},"
                + "{\"mediaType\":\"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip\",\"digest\":\"" + D3 + "\",\"size\":1}]}", null);
        assertEquals(MediaTypes.OCI_MANIFEST, m.mediaType());
        assertEquals(2, m.blobs().size());
        assertEquals("application/vnd.oci.image.config.v1+json", m.artifactType());
        assertNull(m.subject());
    }

    @Test
    void indexNamesChildrenAndSubject() {
        ParsedManifest m = parse("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"digest\":\"" + D1 + "\",\"size\":5}],\"subject\":{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"digest\":\"" + D2 + "\",\"size\":5},\"artifactType\":\"application/x\"}", MediaTypes.OCI_INDEX);
        assertEquals(MediaTypes.OCI_INDEX, m.mediaType());
        assertEquals(1, m.children().size());
        assertEquals(D2, m.subject().toString());
        assertEquals("application/x", m.artifactType());
    }

    @Test
    void malformedManifestsAreManifestInvalid() {
        for (String bad : new String[]{"", "null", "{", "[1]", "{\"schemaVersion\":1}", "{\"schemaVersion\":2,\"config\":{}}",
                "{\"schemaVersion\":2,\"mediaType\":\"text/plain\",\"layers\":[]}",
                "{\"schemaVersion\":2,\"manifests\":{}}", "[".repeat(1000)}) {
            RegistryException e = assertThrows(RegistryException.class, () -> parse(bad, null), bad);
            assertEquals(ErrorCode.MANIFEST_INVALID, e.code(), bad);
        }
    }
}
