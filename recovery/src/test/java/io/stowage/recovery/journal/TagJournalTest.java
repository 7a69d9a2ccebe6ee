package io.stowage.recovery.journal;

import io.stowage.storage.blob.BlobUpload;
import io.stowage.storage.blob.FilesystemBlobStore;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.JdbcMetadataStore;
import io.stowage.storage.meta.ManifestRecord;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.MediaTypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TagJournal over the real filesystem and SQLite stores, for what the HTTP tests do not reach. */
class TagJournalTest {
    @TempDir
    Path dir;
    private FilesystemBlobStore blobs;
    private JdbcMetadataStore metadata;
    private TagJournal journal;

    @BeforeEach
    void open() throws Exception {
        blobs = new FilesystemBlobStore(dir, Clock.systemUTC());
        metadata = JdbcMetadataStore.openSqlite(dir.resolve("registry.db"), Clock.systemUTC());
        journal = new TagJournal(metadata, blobs, Clock.systemUTC());
    }

    @AfterEach
    void close() throws Exception {
        metadata.close();
        blobs.close();
    }

    @Test
    void undeleteOfAnIndexChecksEveryChildsLayers() throws Exception {
        Digest layerA = store("layer-a");
        Digest layerB = store("layer-b");
        ManifestRecord amd64 = image("amd64", layerA);
        ManifestRecord arm64 = image("arm64", layerB);
        metadata.putManifest(amd64, List.of(), "alice");
        metadata.putManifest(arm64, List.of(), "alice");
        byte[] indexBytes = ("{\"index\":[\"" + amd64.digest() + "\",\"" + arm64.digest() + "\"]}").getBytes(StandardCharsets.UTF_8);
        ManifestRecord index = new ManifestRecord("team/app", Digest.sha256(indexBytes), MediaTypes.OCI_INDEX, null, null,
                null, indexBytes, List.of(), List.of(amd64.digest(), arm64.digest()));
        metadata.putManifest(index, List.of("multi"), "alice");
        metadata.deleteTag("team/app", "multi", "bob");

        blobs.delete(layerB);
        RegistryException missing = assertThrows(RegistryException.class,
                () -> journal.undelete("team/app", "multi", null, false, "carol"));
        assertEquals(ErrorCode.CONTENT_MISSING, missing.code());
        assertEquals(List.of(layerB.toString()), ((Map<?, ?>) missing.detail()).get("missingBlobs"));
        assertTrue(metadata.findManifestByTag("team/app", "multi").isEmpty(), "a refused undelete changes nothing");

        store("layer-b");
        TagJournal.Restored restored = journal.undelete("team/app", "multi", null, false, "carol");
        assertEquals(index.digest(), restored.digest());
        assertEquals(index.digest(), metadata.findManifestByTag("team/app", "multi").orElseThrow().digest());
    }

    private Digest store(String seed) throws Exception {
        byte[] bytes = seed.getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(bytes);
        BlobUpload upload = blobs.startUpload();
        upload.append(ByteBuffer.wrap(bytes));
        upload.commit(digest);
        metadata.linkBlob("team/app", digest, bytes.length);
        return digest;
    }

    private static ManifestRecord image(String seed, Digest layer) {
        byte[] content = ("{\"image\":\"" + seed + "\"}").getBytes(StandardCharsets.UTF_8);
        return new ManifestRecord("team/app", Digest.sha256(content), MediaTypes.OCI_MANIFEST, null, null, null,
                content, List.of(layer), List.of());
    }
}
