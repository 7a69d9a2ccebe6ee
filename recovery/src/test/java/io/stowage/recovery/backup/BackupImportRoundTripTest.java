package io.stowage.recovery.backup;

import io.stowage.audit.AuditSink;
import io.stowage.gc.GcFixture;
import io.stowage.gc.GcSettings;
import io.stowage.recovery.jobs.LeaseCheck;
import io.stowage.recovery.reimport.LayoutImporter;
import io.stowage.recovery.reimport.OciLayoutSource;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A lost primary: a backup of one registry imported into an empty one brings back what was live, as it was. */
class BackupImportRoundTripTest {
    private static final GcSettings SETTINGS = new GcSettings(Duration.ofHours(24), Duration.ofDays(30), 50);

    @TempDir
    Path dir;

    @Test
    void tagsAndUntaggedManifestsComeBackAndSoftDeletedOnesStayOut() throws Exception {
        Path backup = dir.resolve("backup");
        Digest app;
        Digest tool;
        Digest untagged;
        Digest deleted;
        try (GcFixture primary = new GcFixture(dir.resolve("primary"), SETTINGS)) {
            byte[] shared = GcFixture.bytes("shared", 5000);
            app = primary.pushImage("team/app", "v1", List.of(shared, GcFixture.bytes("app", 3000)));
            tool = primary.pushImage("tools/cli", "1.0", List.of(shared));
            untagged = primary.pushImage("team/app", "build-7", List.of(GcFixture.bytes("build", 700)));
            primary.metadata.deleteTag("team/app", "build-7", "ci");
            deleted = primary.pushImage("team/app", "old", List.of(GcFixture.bytes("old", 2000)));
            primary.registry.deleteManifest("team/app", Reference.ofDigest(deleted), "bob");

            BackupProgress progress = new BackupProgress("run-1", backup.toString(), "test", Instant.now());
            new BackupWriter(primary.metadata, primary.blobs, primary.clock).write(backup, progress, LeaseCheck.NONE);
            assertFalse(progress.hasProblems(), () -> progress.report().problems().toString());
        }

        try (GcFixture standby = new GcFixture(dir.resolve("standby"), SETTINGS)) {
            LayoutImporter.Report report = new LayoutImporter(standby.registry, standby.metadata, standby.blobs,
                    AuditSink.NONE, standby.clock).run(OciLayoutSource.open(backup), null, "ops", "job-1");

            assertTrue(report.complete(), () -> report.images().toString());
            assertEquals(app, standby.metadata.findManifestByTag("team/app", "v1").orElseThrow().digest());
            assertEquals(tool, standby.metadata.findManifestByTag("tools/cli", "1.0").orElseThrow().digest());
            assertTrue(standby.metadata.findManifest("team/app", untagged).isPresent(), "untagged, in its repository");
            assertTrue(standby.metadata.findManifestByTag("team/app", "build-7").isEmpty());
            assertTrue(standby.metadata.findManifest("team/app", deleted).isEmpty(), "not made live again");
            LayoutImporter.Image skipped = report.images().stream()
                    .filter(i -> i.digest().equals(deleted.toString())).findFirst().orElseThrow();
            assertEquals("skipped", skipped.outcome());
        }
    }
}
