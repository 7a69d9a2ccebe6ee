package io.stowage.recovery.journal;

import io.stowage.gc.GcFixture;
import io.stowage.gc.GcSettings;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.GcDeletion;
import io.stowage.storage.meta.GcRunRecord;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Undelete when retention has passed and the collector took the content: the operator's bad day. */
class UndeleteAfterCollectionTest {
    @TempDir
    Path dir;

    @Test
    void contentMissingNamesExactlyTheSweptBlobsAndRepushingThemMakesUndeleteWork() throws Exception {
        try (GcFixture f = new GcFixture(dir, new GcSettings(Duration.ofHours(24), Duration.ofDays(30), 50))) {
            TagJournal journal = new TagJournal(f.metadata, f.blobs, f.clock);
            byte[] shared = GcFixture.bytes("shared", 4000);
            byte[] own = GcFixture.bytes("own", 6000);
            Digest v1 = f.pushImage("app", "v1", List.of(shared, own));
            f.pushImage("app", "v2", List.of(shared));
            byte[] manifestBytes = f.metadata.findManifest("app", v1).orElseThrow().content();
            f.registry.deleteManifest("app", Reference.ofTag("v1"), "alice");

            f.clock.advance(Duration.ofDays(31));
            GcRunRecord run = f.gc.start(false).completion().get(60, TimeUnit.SECONDS);
            Set<String> sweptBlobs = f.gc.deletions(run.id()).stream().filter(d -> d.kind().equals("blob"))
                    .map(GcDeletion::digest).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(2, sweptBlobs.size(), "v1's config and its own layer");

            RegistryException missing = assertThrows(RegistryException.class,
                    () -> journal.undelete("app", "v1", null, false, "bob"));
            assertEquals(ErrorCode.CONTENT_MISSING, missing.code());
            assertEquals(sweptBlobs, new TreeSet<>((List<?>) ((Map<?, ?>) missing.detail()).get("missingBlobs")));
            assertTrue(f.metadata.findManifestByTag("app", "v1").isEmpty(), "nothing changed");
            assertTrue(journal.deletedTags("app").get(0).missingBlobs().containsAll(sweptBlobs));

            // The re-import of issue 7 in its simplest form: push the lost blobs again.
            f.pushBlob("app", ("{\"layers\":2,\"tag\":\"v1\"}").getBytes());
            f.pushBlob("app", own);
            TagJournal.Restored restored = journal.undelete("app", "v1", null, false, "bob");
            assertEquals(v1, restored.digest());
            assertArrayEquals(manifestBytes, f.metadata.findManifestByTag("app", "v1").orElseThrow().content());
        }
    }
}
