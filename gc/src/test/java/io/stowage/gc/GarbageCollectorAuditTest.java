package io.stowage.gc;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditLog;
import io.stowage.audit.AuditRecord;
import io.stowage.audit.AuditSettings;
import io.stowage.audit.AuditUnavailableException;
import io.stowage.audit.RecordCodec;
import io.stowage.audit.SegmentFiles;
import io.stowage.audit.SigningKey;
import io.stowage.storage.meta.GcDeletion;
import io.stowage.storage.meta.GcRunRecord;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a collection leaves in a real audit log, read back from its segment files: enough to say
 * when a layer disappeared, in which run, and who paused or resumed the collector around it.
 */
class GarbageCollectorAuditTest {
    private static final GcSettings SETTINGS = new GcSettings(Duration.ofHours(24), Duration.ofDays(30), 2);

    @TempDir
    Path data;
    @TempDir
    Path auditData;

    private AuditLog openLog(AuditSettings settings) throws Exception {
        return AuditLog.open(settings, SigningKey.loadOrCreate(auditData.resolve("audit-ed25519.pem")),
                Clock.systemUTC(), null);
    }

    private AuditSettings settings() {
        return AuditSettings.defaults(auditData.resolve("log"));
    }

    /** Every record in the log, in sequence order. */
    private List<AuditRecord> readLog() throws Exception {
        List<AuditRecord> records = new ArrayList<>();
        for (Path segment : SegmentFiles.list(auditData.resolve("log"))) {
            for (SegmentFiles.Line line : SegmentFiles.readAll(segment)) {
                records.add(RecordCodec.fromMap(RecordCodec.parse(line.bytes())));
            }
        }
        return records;
    }

    private static List<AuditRecord> of(List<AuditRecord> records, String action, String runId) {
        return records.stream()
                .filter(r -> r.entry().action().equals(action))
                .filter(r -> runId == null || runId.equals(r.entry().detail().get("runId")))
                .toList();
    }

    private static Object detail(AuditRecord record, String key) {
        return record.entry().detail().get(key);
    }

    @Test
    void aRunsStartEndAndEveryDeletedDigestAreInTheLogWithItsRunId() throws Exception {
        byte[] shared = GcFixture.bytes("shared", 5000);
        byte[] own1 = GcFixture.bytes("own-1", 7000);
        byte[] own2 = GcFixture.bytes("own-2", 3000);
        GcRunRecord dry;
        GcRunRecord run;
        Digest v1;
        try (AuditLog audit = openLog(settings()); GcFixture f = new GcFixture(data, SETTINGS, audit)) {
            v1 = f.pushImage("app", "v1", List.of(shared, own1, own2));
            f.pushImage("app", "v2", List.of(shared));
            f.pushBlob("app", GcFixture.bytes("never-referenced", 1000));
            f.registry.deleteManifest("app", Reference.ofTag("v1"), "alice");
            f.clock.advance(Duration.ofDays(31));

            f.gc.pause("bob", "checking first");
            dry = f.gc.start(true, "carol").completion().get(60, TimeUnit.SECONDS);
            f.gc.resume("bob", "checked");
            run = f.gc.start(false, "alice").completion().get(60, TimeUnit.SECONDS);
            assertEquals("completed", run.outcome());
            assertEquals(1, run.sweptManifests());
            assertEquals(4, run.sweptBlobs(), "config and two layers of v1, and the never-referenced blob");

            List<AuditRecord> log = readLog();
            Map<String, Long> sweptBlobs = f.gc.deletions(run.id()).stream().filter(d -> d.kind().equals("blob"))
                    .collect(Collectors.toMap(GcDeletion::digest, GcDeletion::size));
            List<AuditRecord> blobRecords = of(log, GcAudit.BLOB_DELETE, null);
            assertEquals(sweptBlobs.size(), blobRecords.size(), "one record per swept blob, none for the dry run");
            for (AuditRecord record : blobRecords) {
                assertEquals(run.id(), detail(record, "runId"));
                assertEquals(sweptBlobs.get(record.entry().digest()), detail(record, "size"));
                assertEquals("alice", record.entry().actor());
                assertEquals(AuditEntry.EVENT, record.entry().kind());
            }
            assertEquals(sweptBlobs.keySet(), blobRecords.stream().map(r -> r.entry().digest()).collect(Collectors.toSet()));
            assertTrue(sweptBlobs.containsKey(Digest.sha256(own1).toString()));

            List<AuditRecord> manifestRecords = of(log, GcAudit.MANIFEST_DELETE, run.id());
            assertEquals(1, manifestRecords.size());
            assertEquals("app", manifestRecords.get(0).entry().repository());
            assertEquals(v1.toString(), manifestRecords.get(0).entry().digest());

            AuditRecord start = single(of(log, GcAudit.RUN_START, run.id()));
            assertEquals("alice", start.entry().actor());
            assertEquals(false, detail(start, "dryRun"));
            assertEquals("PT24H", detail(start, "gracePeriod"));
            assertEquals("PT720H", detail(start, "retention"));
            AuditRecord end = single(of(log, GcAudit.RUN_END, run.id()));
            assertEquals("completed", detail(end, "outcome"));
            assertEquals(4L, detail(end, "sweptBlobs"));
            assertEquals(1L, detail(end, "sweptManifests"));
            assertEquals(run.sweptBytes(), detail(end, "sweptBytes"));
            List<AuditRecord> runDeletions = new ArrayList<>(blobRecords);
            runDeletions.addAll(manifestRecords);
            for (AuditRecord deletion : runDeletions) {
                assertTrue(start.seq() < deletion.seq() && deletion.seq() < end.seq());
            }

            AuditRecord dryStart = single(of(log, GcAudit.RUN_START, dry.id()));
            assertEquals("carol", dryStart.entry().actor());
            assertEquals(true, detail(dryStart, "dryRun"));
            assertEquals("completed", detail(single(of(log, GcAudit.RUN_END, dry.id())), "outcome"));

            AuditRecord pause = single(of(log, GcAudit.PAUSE, null));
            assertEquals("bob", pause.entry().actor());
            assertEquals("checking first", detail(pause, "reason"));
            AuditRecord resume = single(of(log, GcAudit.RESUME, null));
            assertEquals("bob", resume.entry().actor());
            assertEquals("checked", detail(resume, "reason"));
            assertTrue(pause.seq() < dryStart.seq() && dryStart.seq() < resume.seq() && resume.seq() < start.seq());
        }
    }

    @Test
    void aPauseIsRecordedAfterEveryDeletionOfTheRunItStopped() throws Exception {
        try (AuditLog audit = openLog(settings());
             GcFixture f = new GcFixture(data, new GcSettings(Duration.ZERO, Duration.ZERO, 5), audit)) {
            for (int i = 0; i < 300; i++) {
                f.pushBlob("app", GcFixture.bytes("orphan-" + i, 100));
            }
            f.clock.advance(Duration.ofSeconds(1));
            GarbageCollector.Started started = f.gc.start(false, GarbageCollector.SCHEDULER);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (f.gc.run(started.run().id()).orElseThrow().sweptBlobs() < 10 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            f.gc.pause("alice", "stop now");
            GcRunRecord stopped = started.completion().get(60, TimeUnit.SECONDS);

            List<AuditRecord> log = readLog();
            List<AuditRecord> deletions = of(log, GcAudit.BLOB_DELETE, stopped.id());
            AuditRecord pause = single(of(log, GcAudit.PAUSE, null));
            assertEquals(stopped.id(), detail(pause, "runId"), "the pause names the run it stopped");
            assertTrue(deletions.stream().allMatch(d -> d.seq() < pause.seq()),
                    "when pause returned, everything the run had deleted was in the log");
            assertEquals("paused", stopped.outcome());
            assertEquals(stopped.sweptBlobs(), deletions.size());
            assertEquals("scheduler", single(of(log, GcAudit.RUN_START, stopped.id())).entry().actor());
        }
    }

    @Test
    void whenTheLogCannotBeWrittenARunSweepsNothingAndPauseChangesNothing() throws Exception {
        try (AuditLog audit = openLog(settings().withMinFreeBytes(Long.MAX_VALUE));
             GcFixture f = new GcFixture(data, new GcSettings(Duration.ZERO, Duration.ZERO, 5), audit)) {
            List<Digest> orphans = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                orphans.add(f.pushBlob("app", GcFixture.bytes("orphan-" + i, 100)));
            }
            f.clock.advance(Duration.ofSeconds(1));

            GcRunRecord run = f.gc.start(false, "alice").completion().get(60, TimeUnit.SECONDS);
            assertEquals("failed", run.outcome());
            assertEquals(0, run.sweptBlobs());
            assertTrue(run.error().contains("audit"), run.error());
            for (Digest orphan : orphans) {
                assertTrue(f.stored(orphan), "fail-closed: nothing removed without a record");
            }

            assertThrows(AuditUnavailableException.class, () -> f.gc.pause("bob", "incident"));
            assertFalse(f.gc.paused(), "a pause that cannot be audited changes nothing");
            assertFalse(f.gc.status().pause().paused());

            List<AuditRecord> log = readLog();
            assertEquals(List.of(), of(log, GcAudit.BLOB_DELETE, null));
            assertEquals(List.of(), of(log, GcAudit.PAUSE, null));
            assertEquals("failed", detail(single(of(log, GcAudit.RUN_END, run.id())), "outcome"));
        }
    }

    private static AuditRecord single(List<AuditRecord> records) {
        assertEquals(1, records.size(), records.toString());
        return records.get(0);
    }
}
