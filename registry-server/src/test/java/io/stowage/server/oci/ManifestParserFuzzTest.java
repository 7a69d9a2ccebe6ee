package io.stowage.server.oci;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.oci.ManifestParser;
import io.stowage.storage.oci.MediaTypes;
import io.stowage.storage.oci.ParsedManifest;

import java.util.List;

/**
 * Whatever bytes a client pushes as a manifest, the parser either accepts them or refuses them
 * with {@code MANIFEST_INVALID} (or a digest error for a malformed descriptor): never another
 * exception, which would become a 500. Runs its corpus (src/test/resources/.../Inputs) in every
 * build and fuzzes for a bounded time in the build's {@code fuzz} execution (JAZZER_FUZZ=1).
 */
class ManifestParserFuzzTest {
    private static final List<String> TYPES = List.of(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
            MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST, "application/json", "text/plain", "");

    @FuzzTest(maxDuration = "45s")
    void parsesOrRefusesAsInvalid(FuzzedDataProvider data) {
        String contentType = data.consumeBoolean() ? data.pickValue(TYPES) : null;
        byte[] content = data.consumeRemainingAsBytes();
        ParsedManifest parsed;
        try {
            parsed = ManifestParser.parse(content, contentType);
        } catch (RegistryException refused) {
            ErrorCode code = refused.code();
            if (code != ErrorCode.MANIFEST_INVALID && code != ErrorCode.DIGEST_INVALID
                    && code != ErrorCode.SIZE_INVALID) {
                throw new AssertionError("unexpected refusal " + code + ": " + refused.getMessage());
            }
            return;
        }
        if (parsed.mediaType() == null || parsed.mediaType().isEmpty()) {
            throw new AssertionError("accepted a manifest without a media type");
        }
    }
}
