package io.stowage.recovery.reimport;

import io.stowage.audit.AuditSink;
import io.stowage.gc.GcFixture;
import io.stowage.gc.GcSettings;
import io.stowage.recovery.journal.TagJournal;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.TagEvent;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Re-import from an OCI layout over the real embedded stores: a tag deleted and collected comes
 * back byte for byte from a layout copy, a corrupted layer is refused and nothing of it stored,
 * an index brings its children, and what is present is not fetched again.
 */
class ReimportFromLayoutTest {
    private static final GcSettings SETTINGS = new GcSettings(Duration.ofHours(24), Duration.ofDays(30), 50);

    @TempDir
    Path dir;

    @Test
    void collectedLayersComeBackFromTheLayoutAndTheTagIsRestored() throws Exception {
        try (GcFixture f = new GcFixture(dir.resolve("registry"), SETTINGS)) {
            TestLayout layout = new TestLayout(dir.resolve("layout"));
            byte[] shared = GcFixture.bytes("shared", 5000);
            TestLayout.Image v1 = layout.image("v1", List.of(shared, GcFixture.bytes("own", 7000)));
            TestLayout.Image v2 = layout.image("v2", List.of(shared));
            layout.name(v1, "team/app:v1");
            TestLayout.push(f, "team/app", "v1", v1);
            TestLayout.push(f, "team/app", "v2", v2);
            f.registry.deleteManifest("team/app", Reference.ofTag("v1"), "mallory");
            f.clock.advance(Duration.ofDays(31));
            f.gc.start(false).completion().get(60, TimeUnit.SECONDS);
            Digest ownLayer = Digest.sha256(v1.layers().get(1));
            assertFalse(f.stored(ownLayer), "the collector took v1's own layer");

            TagJournal journal = new TagJournal(f.metadata, f.blobs, f.clock);
            Reimporter reimporter = reimporter(f, journal);
            Reimporter.Report report;
            try (OciLayoutSource source = OciLayoutSource.open(layout.root())) {
                report = reimporter.reimport(new Reimporter.Request("team/app", "v1", null, null, false, true, "bob", null),
                        source);
            }

            assertTrue(report.complete(), report.toString());
            assertEquals(v1.digest(), report.digest());
            assertEquals("journal", report.digestFrom(), "the tag's last digest, as undelete takes it");
            assertEquals(Set.of(ownLayer.toString(), Digest.sha256(v1.config()).toString()), digests(report.content().imported()));
            Set<String> present = digests(report.content().alreadyPresent());
            assertTrue(present.contains(Digest.sha256(shared).toString()), "the shared layer was not fetched again");
            assertTrue(present.contains(v1.digest().toString()), "the kept manifest row was not fetched again");
            assertEquals(7000 + v1.config().length, report.content().bytes());
            assertTrue(report.warnings().stream().anyMatch(w -> w.startsWith("NO AUDITED PUSH")), report.warnings().toString());
            assertNull(report.provenance());
            assertEquals(List.of("v1"), report.restored().tags());

            assertArrayEquals(v1.manifest(), f.metadata.findManifestByTag("team/app", "v1").orElseThrow().content());
            assertTrue(f.stored(ownLayer));
            assertEquals(TagEvent.Type.RESTORED, f.metadata.tagHistory("team/app", "v1").get(0).type());
        }
    }

    @Test
    void aCorruptedLayerInTheLayoutIsReportedAndNothingOfItIsStored() throws Exception {
        try (GcFixture f = new GcFixture(dir.resolve("registry"), SETTINGS)) {
            TestLayout layout = new TestLayout(dir.resolve("layout"));
            TestLayout.Image image = layout.image("v1", List.of(GcFixture.bytes("a", 3000), GcFixture.bytes("b", 4000)));
            layout.name(image, "v1");
            Digest bad = Digest.sha256(image.layers().get(1));
            layout.corrupt(bad);

            Reimporter.Report report;
            try (OciLayoutSource source = OciLayoutSource.open(layout.root())) {
                report = reimporter(f, new TagJournal(f.metadata, f.blobs, f.clock)).reimport(
                        new Reimporter.Request("app", "v1", null, null, false, true, "bob", null), source);
            }

            assertFalse(report.complete());
            assertEquals("source", report.digestFrom(), "no journal here: the layout's plain tag names it");
            Map<String, String> failed = report.content().failed().stream()
                    .collect(Collectors.toMap(ImportReport.Item::digest, ImportReport.Item::note));
            assertTrue(failed.get(bad.toString()).startsWith("digest mismatch"), failed.toString());
            assertTrue(failed.containsKey(image.digest().toString()), "the manifest above it is not stored either");
            assertFalse(f.stored(bad), "nothing unverified is stored");
            assertTrue(f.metadata.findManifest("app", image.digest()).isEmpty());
            assertTrue(f.metadata.findLinkedBlob("app", bad).isEmpty());
            assertNull(report.restored());
            assertTrue(report.warnings().stream().anyMatch(w -> w.startsWith("not restored")));
            List<String> leftovers = new ArrayList<>();
            f.blobs.forEachUpload(u -> leftovers.add(u.uploadId()));
            assertEquals(List.of(), leftovers, "the failed upload session is gone");
            assertTrue(f.stored(Digest.sha256(image.layers().get(0))), "the good layer is kept for the next attempt");
        }
    }

    @Test
    void aLayerLongerThanItsManifestSaysIsCutOffAndRefused() throws Exception {
        try (GcFixture f = new GcFixture(dir.resolve("registry"), SETTINGS)) {
            TestLayout layout = new TestLayout(dir.resolve("layout"));
            TestLayout.Image image = layout.image("v1", List.of(GcFixture.bytes("a", 3000)));
            layout.name(image, "v1");
            Digest layer = Digest.sha256(image.layers().get(0));
            java.nio.file.Files.write(io.stowage.recovery.layout.OciLayout.blobPath(layout.root(), layer),
                    GcFixture.bytes("a", 9000));

            Reimporter.Report report;
            try (OciLayoutSource source = OciLayoutSource.open(layout.root())) {
                report = reimporter(f, new TagJournal(f.metadata, f.blobs, f.clock)).reimport(
                        new Reimporter.Request("app", null, image.digest(), null, false, false, "bob", null), source);
            }
            assertFalse(report.complete());
            assertTrue(report.content().failed().get(0).note().contains("the manifest declares 3000"),
                    report.content().failed().toString());
            assertFalse(f.stored(layer));
        }
    }

    @Test
    void anIndexBringsItsChildrenAndASecondRunFindsEverythingPresent() throws Exception {
        try (GcFixture f = new GcFixture(dir.resolve("registry"), SETTINGS)) {
            TestLayout layout = new TestLayout(dir.resolve("layout"));
            TestLayout.Image amd = layout.image("amd64", List.of(GcFixture.bytes("amd", 2000)));
            TestLayout.Image arm = layout.image("arm64", List.of(GcFixture.bytes("arm", 2500)));
            TestLayout.Image index = layout.index(List.of(amd, arm));
            layout.name(index, "multi");
            Reimporter reimporter = reimporter(f, new TagJournal(f.metadata, f.blobs, f.clock));

            Reimporter.Report first;
            Reimporter.Report second;
            try (OciLayoutSource source = OciLayoutSource.open(layout.root())) {
                first = reimporter.reimport(new Reimporter.Request("app", "multi", null, null, false, true, "bob", null), source);
                second = reimporter.reimport(new Reimporter.Request("app", "multi", null, null, false, true, "bob", null), source);
            }

            assertTrue(first.complete(), first.toString());
            assertEquals(7, first.content().imported().size(), "index, two manifests, two configs, two layers");
            assertEquals(index.digest(), f.metadata.findManifestByTag("app", "multi").orElseThrow().digest());
            assertTrue(f.metadata.findManifest("app", arm.digest()).isPresent());
            assertEquals(0, second.content().imported().size());
            assertEquals(7, second.content().alreadyPresent().size());
            assertEquals("journal", second.digestFrom());
            assertTrue(second.restored().alreadyLive());
        }
    }

    @Test
    void requireAuditedRefusesADigestNoPushRecordedAndImportsNothing() throws Exception {
        try (GcFixture f = new GcFixture(dir.resolve("registry"), SETTINGS)) {
            TestLayout layout = new TestLayout(dir.resolve("layout"));
            TestLayout.Image image = layout.image("v1", List.of(GcFixture.bytes("a", 3000)));
            layout.name(image, "v1");
            try (OciLayoutSource source = OciLayoutSource.open(layout.root())) {
                RegistryException refused = assertThrows(RegistryException.class, () -> reimporter(f,
                        new TagJournal(f.metadata, f.blobs, f.clock)).reimport(
                        new Reimporter.Request("app", "v1", null, null, true, true, "bob", null), source));
                assertEquals(ErrorCode.DIGEST_NOT_AUDITED, refused.code());
            }
            assertFalse(f.stored(Digest.sha256(image.layers().get(0))));
            assertFalse(f.metadata.repositoryExists("app"));
        }
    }

    @Test
    void contentMissingNamesTheReimportCommand() throws Exception {
        try (GcFixture f = new GcFixture(dir.resolve("registry"), SETTINGS)) {
            Digest v1 = f.pushImage("team/app", "v1", List.of(GcFixture.bytes("own", 3000)));
            f.registry.deleteManifest("team/app", Reference.ofTag("v1"), "mallory");
            f.clock.advance(Duration.ofDays(31));
            f.gc.start(false).completion().get(60, TimeUnit.SECONDS);
            RegistryException missing = assertThrows(RegistryException.class,
                    () -> new TagJournal(f.metadata, f.blobs, f.clock).undelete("team/app", "v1", null, false, "bob"));
            assertEquals("registry recover reimport --repository team/app --tag v1 --digest " + v1
                            + " --from <backup dir or registry URL> --restore",
                    ((Map<?, ?>) missing.detail()).get("reimport"));
            assertEquals(2, ((List<?>) ((Map<?, ?>) missing.detail()).get("missingBlobs")).size());
        }
    }

    private static Reimporter reimporter(GcFixture f, TagJournal journal) {
        return new Reimporter(f.registry, f.metadata, f.blobs, journal, new PushProvenance(null), AuditSink.NONE,
                () -> true, f.clock);
    }

    private static Set<String> digests(List<ImportReport.Item> items) {
        return items.stream().map(ImportReport.Item::digest).collect(Collectors.toCollection(TreeSet::new));
    }
}
