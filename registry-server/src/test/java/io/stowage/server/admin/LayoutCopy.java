package io.stowage.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.stowage.server.OciApi;
import io.stowage.storage.oci.Digest;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Copies one tagged image (manifest, config, layers) out of a registry into an OCI layout with a
 * plain-tag ref name, as {@code skopeo copy docker://... oci:DIR:tag} would: the stand-in backup
 * of the API tests.
 */
final class LayoutCopy {
    private LayoutCopy() {
    }

    static Path copy(OciApi api, String repository, String tag, Path dir) throws Exception {
        Files.createDirectories(dir.resolve("blobs/sha256"));
        HttpResponse<byte[]> manifest = api.get("/v2/" + repository + "/manifests/" + tag);
        assertEquals(200, manifest.statusCode());
        write(dir, manifest.body());
        JsonNode json = OciApi.JSON.readTree(manifest.body());
        copyBlob(api, repository, dir, json.path("config").path("digest").asText());
        for (JsonNode layer : json.path("layers")) {
            copyBlob(api, repository, dir, layer.path("digest").asText());
        }
        String index = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + json.path("mediaType").asText()
                + "\",\"digest\":\"" + Digest.sha256(manifest.body()) + "\",\"size\":" + manifest.body().length
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + tag + "\"}}]}";
        Files.writeString(dir.resolve("index.json"), index, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return dir;
    }

    private static void copyBlob(OciApi api, String repository, Path dir, String digest) throws Exception {
        HttpResponse<byte[]> blob = api.get("/v2/" + repository + "/blobs/" + digest);
        assertEquals(200, blob.statusCode());
        write(dir, blob.body());
    }

    private static void write(Path dir, byte[] content) throws Exception {
        Files.write(dir.resolve("blobs/sha256").resolve(Digest.sha256(content).hex()), content);
    }
}
