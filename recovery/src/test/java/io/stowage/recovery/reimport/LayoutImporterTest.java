package io.stowage.recovery.reimport;

import io.stowage.audit.AuditSink;
import io.stowage.gc.GcFixture;
import io.stowage.gc.GcSettings;
import io.stowage.storage.meta.TagEvent;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code registry import --from DIR}: which repository each image goes to, tags, and what is refused. */
class LayoutImporterTest {
    private static final GcSettings SETTINGS = new GcSettings(Duration.ofHours(24), Duration.ofDays(30), 50);

    @TempDir
    Path dir;

    @Test
    void repositoryTagRefNamesKeepTheirRepositoriesAndPlainTagsNeedOne() throws Exception {
        try (GcFixture f = new GcFixture(dir.resolve("registry"), SETTINGS)) {
            TestLayout layout = new TestLayout(dir.resolve("layout"));
            byte[] shared = GcFixture.bytes("shared", 4000);
            TestLayout.Image a = layout.image("a", List.of(shared));
            TestLayout.Image b = layout.image("b", List.of(shared, GcFixture.bytes("b", 100)));
            TestLayout.Image plain = layout.image("plain", List.of(GcFixture.bytes("p", 100)));
            layout.name(a, "team/a:v1").name(b, "team/b:v2").name(plain, "latest");

            LayoutImporter.Report report = importer(f).run(OciLayoutSource.open(layout.root()), null, "ops", "job-1");

            assertFalse(report.complete(), "the plain tag had no repository");
            assertEquals(a.digest(), f.metadata.findManifestByTag("team/a", "v1").orElseThrow().digest());
            assertEquals(b.digest(), f.metadata.findManifestByTag("team/b", "v2").orElseThrow().digest());
            assertEquals(TagEvent.Type.PUSHED, f.metadata.tagHistory("team/a", "v1").get(0).type());
            assertEquals("ops", f.metadata.tagHistory("team/a", "v1").get(0).actor());
            LayoutImporter.Image refused = report.images().get(2);
            assertEquals("failed", refused.outcome());
            assertTrue(refused.reason().contains("give --repository"), refused.reason());
        }
    }

    @Test
    void aGivenRepositoryTakesEverythingAndALiveTagIsNotMoved() throws Exception {
        try (GcFixture f = new GcFixture(dir.resolve("registry"), SETTINGS)) {
            TestLayout layout = new TestLayout(dir.resolve("layout"));
            TestLayout.Image v1 = layout.image("v1", List.of(GcFixture.bytes("x", 1000)));
            TestLayout.Image v2 = layout.image("v2", List.of(GcFixture.bytes("y", 1000)));
            layout.name(v1, "v1").name(v2, "team/other:v2");
            Digest live = f.pushImage("mirror", "v2", List.of(GcFixture.bytes("z", 10)));

            LayoutImporter.Report report = importer(f).run(OciLayoutSource.open(layout.root()), "mirror", "ops", null);

            assertEquals(v1.digest(), f.metadata.findManifestByTag("mirror", "v1").orElseThrow().digest());
            assertEquals(live, f.metadata.findManifestByTag("mirror", "v2").orElseThrow().digest(), "not moved");
            assertEquals("failed", report.images().get(1).outcome());
            assertTrue(f.metadata.findManifest("mirror", v2.digest()).isPresent(), "its content is imported all the same");

            LayoutImporter.Report again = importer(f).run(OciLayoutSource.open(layout.root()), "mirror", "ops", null);
            assertEquals("present", again.images().get(0).outcome());
            assertEquals(0, again.content().imported().size());
        }
    }

    private static LayoutImporter importer(GcFixture f) {
        return new LayoutImporter(f.registry, f.metadata, f.blobs, AuditSink.NONE, f.clock);
    }
}
