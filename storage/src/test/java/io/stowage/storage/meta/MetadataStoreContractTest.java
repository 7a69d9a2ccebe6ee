package io.stowage.storage.meta;

import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.MediaTypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every {@link MetadataStore} must have. A backend extends this class and says how
 * to open a store on a directory; reopening on the same directory must see the same data.
 */
public abstract class MetadataStoreContractTest {
    protected static final String ACTOR = "alice";
    @TempDir
    protected Path dir;
    protected MetadataStore store;

    /** Opens a store whose data lives under {@code dir} (the same data every time for the same dir). */
    protected abstract MetadataStore open(Path dir);

    @BeforeEach
    void openStore() {
        store = open(dir);
    }

    @AfterEach
    void closeStore() {
        if (store != null) { // null when the backend was not available and the test was skipped
            store.close();
        }
    }

    protected static Digest digest(String seed) {
        return Digest.sha256(seed.getBytes(StandardCharsets.UTF_8));
    }

    protected static ManifestRecord image(String repository, String seed, List<Digest> blobs, Digest subject) {
        byte[] content = ("{\"seed\":\"" + seed + "\"}").getBytes(StandardCharsets.UTF_8);
        return new ManifestRecord(repository, Digest.sha256(content), MediaTypes.OCI_MANIFEST,
                subject == null ? null : "application/vnd.example", subject, subject == null ? null : "{\"a\":\"b\"}",
                content, blobs, List.of());
    }

    @Test
    void linkedBlobsAreVisibleOnlyInTheirRepository() {
        Digest blob = digest("b1");
        store.linkBlob("team/app", blob, 42);
        assertEquals(42L, store.findLinkedBlob("team/app", blob).orElseThrow());
        assertTrue(store.findLinkedBlob("team/other", blob).isEmpty());
        assertTrue(store.repositoryExists("team/app"));
        assertTrue(store.unlinkBlob("team/app", blob));
        assertFalse(store.unlinkBlob("team/app", blob));
        assertTrue(store.findLinkedBlob("team/app", blob).isEmpty());
    }

    @Test
    void manifestWithMissingBlobChangesNothing() {
        Digest present = digest("present");
        store.linkBlob("app", present, 1);
        Digest missing = digest("missing");
        RegistryException e = assertThrows(RegistryException.class,
                () -> store.putManifest(image("app", "m", List.of(present, missing), null), List.of("v1"), ACTOR));
        assertEquals(ErrorCode.MANIFEST_BLOB_UNKNOWN, e.code());
        assertTrue(store.findManifestByTag("app", "v1").isEmpty());
        assertTrue(store.listTags("app", null, 10).isEmpty());
        RegistryException fresh = assertThrows(RegistryException.class,
                () -> store.putManifest(image("brand/new", "m", List.of(missing), null), List.of("v1"), ACTOR));
        assertEquals(ErrorCode.MANIFEST_BLOB_UNKNOWN, fresh.code());
        assertFalse(store.repositoryExists("brand/new"));
    }

    @Test
    void indexNeedsItsChildManifestsInTheRepository() {
        Digest blob = digest("layer");
        store.linkBlob("app", blob, 1);
        ManifestRecord child = image("app", "child", List.of(blob), null);
        byte[] indexBytes = "{\"index\":1}".getBytes(StandardCharsets.UTF_8);
        ManifestRecord index = new ManifestRecord("app", Digest.sha256(indexBytes), MediaTypes.OCI_INDEX, null, null, null,
                indexBytes, List.of(), List.of(child.digest()));
        assertThrows(RegistryException.class, () -> store.putManifest(index, List.of("multi"), ACTOR));
        store.putManifest(child, List.of(), ACTOR);
        store.putManifest(index, List.of("multi"), ACTOR);
        assertEquals(index.digest(), store.findManifestByTag("app", "multi").orElseThrow().digest());
    }

    @Test
    void tagsAreCreatedMovedAndDeletedAndManifestDeleteTakesItsTags() {
        Digest blob = digest("l");
        store.linkBlob("app", blob, 1);
        ManifestRecord first = image("app", "1", List.of(blob), null);
        ManifestRecord second = image("app", "2", List.of(blob), null);
        store.putManifest(first, List.of("v1"), ACTOR);
        store.putManifest(first, List.of("latest"), ACTOR);
        store.putManifest(second, List.of("latest"), ACTOR);
        assertEquals(second.digest(), store.findManifestByTag("app", "latest").orElseThrow().digest());
        assertTrue(store.deleteTag("app", "latest", ACTOR));
        assertFalse(store.deleteTag("app", "latest", ACTOR));
        assertTrue(store.findManifest("app", second.digest()).isPresent());
        assertTrue(store.deleteManifest("app", first.digest(), ACTOR));
        assertTrue(store.findManifestByTag("app", "v1").isEmpty());
        assertFalse(store.deleteManifest("app", first.digest(), ACTOR));
        assertEquals(List.of(), store.listTags("app", null, 10));
    }

    @Test
    void severalTagsLandInOneTransactionOrNotAtAll() {
        Digest blob = digest("l");
        store.linkBlob("app", blob, 1);
        ManifestRecord record = image("app", "multi", List.of(blob), null);
        store.putManifest(record, List.of("a", "b", "c"), ACTOR);
        assertEquals(List.of("a", "b", "c"), store.listTags("app", null, 10));
        ManifestRecord broken = image("app", "broken", List.of(digest("absent")), null);
        assertThrows(RegistryException.class, () -> store.putManifest(broken, List.of("d", "e"), ACTOR));
        assertEquals(List.of("a", "b", "c"), store.listTags("app", null, 10));
    }

    @Test
    void repeatedPutKeepsTheOriginalBytes() {
        Digest blob = digest("l");
        store.linkBlob("app", blob, 1);
        ManifestRecord record = image("app", "x", List.of(blob), null);
        store.putManifest(record, List.of("a"), ACTOR);
        ManifestRecord sameDigestOtherType = new ManifestRecord("app", record.digest(), MediaTypes.DOCKER_MANIFEST, null,
                null, null, record.content(), record.blobs(), List.of());
        store.putManifest(sameDigestOtherType, List.of("b"), ACTOR);
        StoredManifest stored = store.findManifestByTag("app", "b").orElseThrow();
        assertEquals(MediaTypes.OCI_MANIFEST, stored.mediaType());
        assertArrayEquals(record.content(), stored.content());
    }

    @Test
    void tagsAndRepositoriesAreListedSortedInPages() {
        Digest blob = digest("l");
        store.linkBlob("app", blob, 1);
        ManifestRecord record = image("app", "x", List.of(blob), null);
        for (int i = 24; i >= 0; i--) {
            store.putManifest(record, List.of(String.format("t%02d", i)), ACTOR);
        }
        List<String> all = new ArrayList<>();
        String last = null;
        for (int page = 0; page < 5; page++) {
            List<String> tags = store.listTags("app", last, 10);
            if (tags.isEmpty()) {
                break;
            }
            all.addAll(tags);
            last = tags.get(tags.size() - 1);
        }
        assertEquals(25, all.size());
        assertEquals("t00", all.get(0));
        assertEquals("t24", all.get(24));
        for (String repository : List.of("b/nested", "a")) {
            store.linkBlob(repository, blob, 1);
            store.putManifest(image(repository, "x", List.of(blob), null), List.of("v1"), ACTOR);
        }
        assertEquals(List.of("a", "app"), store.listRepositories(null, 2));
        assertEquals(List.of("b/nested"), store.listRepositories("app", 10));
    }

    @Test
    void aRepositoryWithOnlyAnUploadSessionIsNotListedNorExists() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        store.createUpload(new UploadSession("only-upload", "empty/repo", 0, now, now));
        assertFalse(store.repositoryExists("empty/repo"));
        assertEquals(List.of(), store.listRepositories(null, 10));
        store.linkBlob("empty/repo", digest("b"), 1);
        assertTrue(store.repositoryExists("empty/repo"));
        assertEquals(List.of(), store.listRepositories(null, 10), "blobs alone make no image to list");
    }

    @Test
    void referrersAreManifestsNamingTheSubject() {
        Digest blob = digest("l");
        store.linkBlob("app", blob, 1);
        ManifestRecord subject = image("app", "subject", List.of(blob), null);
        store.putManifest(subject, List.of("v1"), ACTOR);
        ManifestRecord sbom = image("app", "sbom", List.of(blob), subject.digest());
        store.putManifest(sbom, List.of(), ACTOR);
        List<Referrer> referrers = store.listReferrers("app", subject.digest());
        assertEquals(1, referrers.size());
        assertEquals(sbom.digest(), referrers.get(0).digest());
        assertEquals("application/vnd.example", referrers.get(0).artifactType());
        assertEquals("{\"a\":\"b\"}", referrers.get(0).annotationsJson());
        assertTrue(store.listReferrers("other", subject.digest()).isEmpty());
    }

    @Test
    void anUploadLeaseHasOneWriterUntilReleasedOrExpired() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        store.createUpload(new UploadSession("leased", "team/app", 0, t0, t0));
        Instant until = t0.plusSeconds(120);
        assertTrue(store.takeUploadLease("leased", "a", t0, until));
        assertFalse(store.takeUploadLease("leased", "b", t0.plusSeconds(60), t0.plusSeconds(180)), "a holds it");
        assertTrue(store.renewUploadLease("leased", "a", t0.plusSeconds(200)));
        assertFalse(store.takeUploadLease("leased", "b", t0.plusSeconds(150), t0.plusSeconds(270)), "renewed");
        store.releaseUploadLease("leased", "a");
        assertTrue(store.takeUploadLease("leased", "b", t0.plusSeconds(150), t0.plusSeconds(270)), "given back");
        // b stops renewing: after its lease ends, c may take the session, and b finds it gone.
        assertTrue(store.takeUploadLease("leased", "c", t0.plusSeconds(271), t0.plusSeconds(391)));
        assertFalse(store.renewUploadLease("leased", "b", t0.plusSeconds(400)));
        store.releaseUploadLease("leased", "b");
        assertFalse(store.takeUploadLease("leased", "d", t0.plusSeconds(300), t0.plusSeconds(420)), "b's release left c's lease");
        assertFalse(store.takeUploadLease("no-such-upload", "a", t0, until));
    }

    @Test
    void aJobLeaseHasOneHolderUntilReleasedOrExpired() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        assertTrue(store.jobLease("backup").isEmpty(), "never taken");
        assertTrue(store.acquireJobLease("backup", "a", "run-1", t0, t0.plusSeconds(120)));
        assertEquals(new JobLease("backup", "a", "run-1", t0.plusSeconds(120), t0), store.jobLease("backup").orElseThrow());
        assertFalse(store.acquireJobLease("backup", "b", "run-2", t0.plusSeconds(60), t0.plusSeconds(180)), "a holds it");
        assertFalse(store.acquireJobLease("backup", "a", "run-3", t0.plusSeconds(60), t0.plusSeconds(180)),
                "a's other run waits for a's first too");
        assertTrue(store.acquireJobLease("scrub", "b", "run-4", t0.plusSeconds(60), t0.plusSeconds(180)), "another job's lease");
        assertFalse(store.renewJobLease("backup", "a", "run-other", t0.plusSeconds(200)), "only the holder's run renews");
        assertTrue(store.renewJobLease("backup", "a", "run-1", t0.plusSeconds(200)));
        assertFalse(store.acquireJobLease("backup", "b", "run-2", t0.plusSeconds(150), t0.plusSeconds(270)), "renewed");
        store.releaseJobLease("backup", "b", "run-2");
        assertEquals("a", store.jobLease("backup").orElseThrow().holder(), "b cannot give back a's lease");
        store.releaseJobLease("backup", "a", "run-1");
        assertEquals(new JobLease("backup", null, null, null, t0), store.jobLease("backup").orElseThrow(),
                "released: free, and the last start kept");
        assertTrue(store.acquireJobLease("backup", "b", "run-2", t0.plusSeconds(150), t0.plusSeconds(270)), "given back");
        assertEquals(t0.plusSeconds(150), store.jobLease("backup").orElseThrow().lastStartedAt());
    }

    @Test
    void anExpiredJobLeaseIsTakenOverAndItsHolderCannotRenewIt() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        assertTrue(store.acquireJobLease("scrub", "a", "run-1", t0, t0.plusSeconds(120)));
        assertFalse(store.acquireJobLease("scrub", "b", "run-2", t0.plusSeconds(120), t0.plusSeconds(240)), "not expired yet");
        assertTrue(store.acquireJobLease("scrub", "b", "run-2", t0.plusSeconds(121), t0.plusSeconds(241)), "a died");
        assertFalse(store.renewJobLease("scrub", "a", "run-1", t0.plusSeconds(300)));
        store.releaseJobLease("scrub", "a", "run-1");
        JobLease lease = store.jobLease("scrub").orElseThrow();
        assertEquals("b", lease.holder());
        assertTrue(lease.heldAt(t0.plusSeconds(241)));
        assertFalse(lease.heldAt(t0.plusSeconds(242)));
    }

    @Test
    void ofReplicasTakingAFreeJobLeaseAtOnceExactlyOneGetsIt() throws Exception {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> takes = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String holder = "replica-" + i;
                takes.add(pool.submit(() -> store.acquireJobLease("backup", holder, "run", t0, t0.plusSeconds(120))));
            }
            int taken = 0;
            for (Future<Boolean> take : takes) {
                taken += take.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertEquals(1, taken);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void uploadSessionLifecycle() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        store.createUpload(new UploadSession("u1", "team/app", 0, t0, t0));
        store.createUpload(new UploadSession("u2", "team/app", 0, t0, t0));
        store.touchUpload("u1", 100, t0.plusSeconds(3600));
        assertEquals(100, store.findUpload("u1").orElseThrow().size());
        assertEquals(List.of("u2"), store.listUploadsIdleSince(t0.plusSeconds(60)).stream().map(UploadSession::uploadId).toList());
        Digest blob = digest("uploaded");
        store.completeUpload("u1", blob, 100);
        assertTrue(store.findUpload("u1").isEmpty());
        assertEquals(100L, store.findLinkedBlob("team/app", blob).orElseThrow());
        assertThrows(RegistryException.class, () -> store.completeUpload("u1", blob, 100));
        assertTrue(store.deleteUpload("u2"));
        assertFalse(store.deleteUpload("u2"));
    }

    @Test
    void concurrentWritersAllSucceed() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        Digest blob = digest(thread + "-" + i);
                        store.linkBlob("repo" + thread, blob, i);
                        store.putManifest(image("repo" + thread, thread + "/" + i, List.of(blob), null), List.of("t" + i), ACTOR);
                    }
                    return null;
                }));
            }
            for (Future<?> result : results) {
                result.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int t = 0; t < 8; t++) {
            assertEquals(50, store.listTags("repo" + t, null, 100).size());
        }
    }

    @Test
    void everyTagChangeIsJournaledNewestFirst() {
        Digest blob = digest("l");
        store.linkBlob("app", blob, 1);
        ManifestRecord one = image("app", "1", List.of(blob), null);
        ManifestRecord two = image("app", "2", List.of(blob), null);
        store.putManifest(one, List.of("v1"), "alice");
        store.putManifest(one, List.of("v1"), "alice");
        store.putManifest(two, List.of("v1"), "bob");
        store.deleteTag("app", "v1", "carol");
        store.restoreTag("app", "v1", one.digest(), "dave");

        List<TagEvent> history = store.tagHistory("app", "v1");
        assertEquals(List.of(TagEvent.Type.RESTORED, TagEvent.Type.DELETED, TagEvent.Type.MOVED, TagEvent.Type.PUSHED),
                history.stream().map(TagEvent::type).toList(), "a re-push of the same digest is no event");
        assertEquals(one.digest(), history.get(0).digest());
        assertEquals("dave", history.get(0).actor());
        assertEquals(two.digest(), history.get(1).digest());
        assertEquals(two.digest(), history.get(2).digest());
        assertEquals(one.digest(), history.get(2).previousDigest());
        assertEquals("bob", history.get(2).actor());
        assertEquals(one.digest(), store.findManifestByTag("app", "v1").orElseThrow().digest());
    }

    @Test
    void deletedTagsListsOnlyTagsThatAreDeletedNow() {
        Digest blob = digest("l");
        store.linkBlob("app", blob, 1);
        ManifestRecord record = image("app", "x", List.of(blob), null);
        store.putManifest(record, List.of("gone", "back", "live"), ACTOR);
        store.deleteTag("app", "gone", "alice");
        store.deleteTag("app", "back", "alice");
        store.putManifest(record, List.of("back"), ACTOR);
        List<TagEvent> deleted = store.deletedTags("app");
        assertEquals(List.of("gone"), deleted.stream().map(TagEvent::tag).toList());
        assertEquals(record.digest(), deleted.get(0).digest());
        assertEquals("alice", deleted.get(0).actor());
    }

    @Test
    void manifestDeleteIsSoftAndRestoreBringsItBackWithItsTags() {
        Digest blob = digest("l");
        store.linkBlob("app", blob, 1);
        ManifestRecord subject = image("app", "s", List.of(blob), null);
        ManifestRecord sbom = image("app", "sbom", List.of(blob), null);
        ManifestRecord signed = image("app", "signed", List.of(blob), subject.digest());
        store.putManifest(subject, List.of("v1", "stable"), ACTOR);
        store.putManifest(signed, List.of(), ACTOR);
        store.putManifest(sbom, List.of(), ACTOR);
        assertTrue(store.deleteManifest("app", signed.digest(), "alice"));
        assertTrue(store.listReferrers("app", subject.digest()).isEmpty(), "a deleted referrer is not listed");
        assertTrue(store.deleteManifest("app", subject.digest(), "alice"));
        assertTrue(store.findManifest("app", subject.digest()).isEmpty());
        assertTrue(store.findManifestByTag("app", "v1").isEmpty());
        assertTrue(store.findManifestGraph("app", subject.digest()).orElseThrow().deleted());
        assertEquals(List.of(blob), store.findManifestGraph("app", subject.digest()).orElseThrow().blobs());

        List<DeletedManifest> deleted = store.deletedManifests("app");
        DeletedManifest entry = deleted.stream().filter(d -> d.digest().equals(subject.digest())).findFirst().orElseThrow();
        assertEquals(List.of("stable", "v1"), entry.tags());
        assertEquals("alice", entry.deletedBy());

        store.putManifest(sbom, List.of("stable"), ACTOR);
        assertEquals(List.of("v1"), store.restoreManifest("app", subject.digest(), "bob"), "a tag live elsewhere stays");
        assertEquals(subject.digest(), store.findManifestByTag("app", "v1").orElseThrow().digest());
        assertEquals(sbom.digest(), store.findManifestByTag("app", "stable").orElseThrow().digest());
        assertFalse(store.findManifestGraph("app", subject.digest()).orElseThrow().deleted());
        assertEquals(List.of(), store.restoreManifest("app", subject.digest(), "bob"), "restoring a live manifest is a no-op");
    }

    @Test
    void pushingADeletedManifestAgainRevivesIt() {
        Digest blob = digest("l");
        store.linkBlob("app", blob, 1);
        ManifestRecord record = image("app", "x", List.of(blob), null);
        store.putManifest(record, List.of("v1"), ACTOR);
        store.deleteManifest("app", record.digest(), ACTOR);
        store.putManifest(record, List.of(), ACTOR);
        assertTrue(store.findManifest("app", record.digest()).isPresent());
        assertTrue(store.deletedManifests("app").isEmpty());
    }

    @Test
    void restoreOfAManifestWithNoRowLeftIsManifestUnknown() {
        RegistryException e = assertThrows(RegistryException.class,
                () -> store.restoreTag("app", "v1", digest("never"), ACTOR));
        assertEquals(ErrorCode.MANIFEST_UNKNOWN, e.code());
    }

    @Test
    void aRestoredTagLinksTheManifestsBlobsAgain() {
        Digest blob = digest("l");
        store.linkBlob("app", blob, 1);
        ManifestRecord record = image("app", "x", List.of(blob), null);
        store.putManifest(record, List.of("v1"), ACTOR);
        store.deleteTag("app", "v1", ACTOR);
        store.unlinkBlob("app", blob);
        store.restoreTag("app", "v1", record.digest(), ACTOR);
        assertEquals(1L, store.findLinkedBlob("app", blob).orElseThrow());
    }

    @Test
    void everythingSurvivesAReopen() {
        Digest blob = digest("durable");
        store.linkBlob("app", blob, 7);
        store.putManifest(image("app", "d", List.of(blob), null), List.of("v1"), ACTOR);
        store.close();
        store = open(dir);
        assertEquals(7L, store.findLinkedBlob("app", blob).orElseThrow());
        assertTrue(store.findManifestByTag("app", "v1").isPresent());
    }

    // ---- backups ------------------------------------------------------------------------------

    @Test
    void changePositionMovesWithEveryManifestChangeAndJournalEvent() {
        ChangePosition empty = store.changePosition();
        Digest blob = digest("l");
        store.linkBlob("app", blob, 1);
        assertEquals(empty, store.changePosition(), "a blob link is no manifest change");
        ManifestRecord record = image("app", "x", List.of(blob), null);
        store.putManifest(record, List.of("v1"), ACTOR);
        ChangePosition pushed = store.changePosition();
        assertTrue(pushed.changeSeq() > empty.changeSeq());
        assertTrue(pushed.journalSeq() > empty.journalSeq());

        store.putManifest(record, List.of("v1"), ACTOR);
        assertEquals(pushed, store.changePosition(), "pushing the same again changes nothing");
        store.deleteTag("app", "v1", ACTOR);
        ChangePosition tagDeleted = store.changePosition();
        assertEquals(pushed.changeSeq(), tagDeleted.changeSeq(), "a tag change is a journal event only");
        assertTrue(tagDeleted.journalSeq() > pushed.journalSeq());

        store.deleteManifest("app", record.digest(), ACTOR);
        ChangePosition deleted = store.changePosition();
        assertTrue(deleted.changeSeq() > tagDeleted.changeSeq(), "a soft delete is a manifest change");
        store.putManifest(record, List.of(), ACTOR);
        assertTrue(store.changePosition().changeSeq() > deleted.changeSeq(), "a revive is a manifest change");
    }

    @Test
    void backupSnapshotCarriesTheBlobsOfManifestsChangedAfterTheWatermarkOnly() {
        Digest old = digest("old-layer");
        Digest fresh = digest("new-layer");
        store.linkBlob("app", old, 11);
        store.linkBlob("app", fresh, 22);
        ManifestRecord first = image("app", "first", List.of(old), null);
        store.putManifest(first, List.of("v1"), ACTOR);
        ChangePosition watermark = store.changePosition();
        ManifestRecord second = image("app", "second", List.of(old, fresh), null);
        store.putManifest(second, List.of(), ACTOR);
        ManifestRecord gone = image("app", "gone", List.of(fresh), null);
        store.putManifest(gone, List.of("v0"), ACTOR);
        store.deleteManifest("app", gone.digest(), ACTOR);

        BackupSnapshot all = store.backupSnapshot(ChangePosition.START.changeSeq());
        assertEquals(store.changePosition(), all.position());
        assertEquals(3, all.manifests().size(), "live and soft-deleted manifests");
        assertTrue(all.manifests().stream().allMatch(BackupSnapshot.Manifest::changed));
        assertEquals(List.of(new BackupSnapshot.LiveTag("app", "v1", first.digest())), all.tags());

        BackupSnapshot since = store.backupSnapshot(watermark.changeSeq());
        BackupSnapshot.Manifest unchanged = manifestOf(since, first.digest());
        assertFalse(unchanged.changed());
        assertEquals(List.of(), unchanged.blobs(), "an unchanged manifest was copied before");
        BackupSnapshot.Manifest changed = manifestOf(since, second.digest());
        assertTrue(changed.changed());
        assertEquals(MediaTypes.OCI_MANIFEST, changed.mediaType());
        assertEquals(second.content().length, changed.size());
        assertEquals(java.util.Set.of(new BackupSnapshot.BlobRef(old, 11), new BackupSnapshot.BlobRef(fresh, 22)),
                java.util.Set.copyOf(changed.blobs()));
        assertTrue(changed.deletedAt() == null);
        assertTrue(manifestOf(since, gone.digest()).deletedAt() != null, "a soft-deleted manifest says since when");
    }

    private static BackupSnapshot.Manifest manifestOf(BackupSnapshot snapshot, Digest digest) {
        return snapshot.manifests().stream().filter(m -> m.digest().equals(digest)).findFirst().orElseThrow();
    }

    @Test
    void journalEventsArePagedOldestFirstWithinTheirBounds() {
        Digest blob = digest("l");
        store.linkBlob("app", blob, 1);
        ManifestRecord record = image("app", "x", List.of(blob), null);
        store.putManifest(record, List.of("a", "b", "c"), ACTOR);
        store.deleteTag("app", "b", "bob");
        long last = store.changePosition().journalSeq();
        List<TagEvent> all = store.journalEvents(0, last, 100);
        assertEquals(4, all.size());
        assertEquals(TagEvent.Type.DELETED, all.get(3).type());
        assertEquals("bob", all.get(3).actor());
        List<TagEvent> page = store.journalEvents(all.get(0).id(), all.get(2).id(), 1);
        assertEquals(List.of(all.get(1)), page);
        assertEquals(List.of(), store.journalEvents(last, last, 100));
    }

    @Test
    void registryIdIsStableAndManifestContentIncludesSoftDeletedRows() {
        String id = store.registryId();
        assertFalse(id.isBlank());
        Digest blob = digest("l");
        store.linkBlob("app", blob, 1);
        ManifestRecord record = image("app", "x", List.of(blob), null);
        store.putManifest(record, List.of("v1"), ACTOR);
        store.deleteManifest("app", record.digest(), ACTOR);
        assertTrue(store.findManifest("app", record.digest()).isEmpty());
        assertArrayEquals(record.content(), store.findManifestContent("app", record.digest()).orElseThrow().content());
        assertTrue(store.findManifestContent("app", digest("never")).isEmpty());
        store.close();
        store = open(dir);
        assertEquals(id, store.registryId());
    }

    // ---- integrity scrub ----------------------------------------------------------------------

    @Test
    void listManifestsWalksEveryRowWithTagsAndReferencesPageByPage() {
        Digest layer = digest("scrub-layer");
        Digest config = digest("scrub-config");
        store.linkBlob("b/app", layer, 10);
        store.linkBlob("b/app", config, 2);
        store.linkBlob("a/app", layer, 10);
        ManifestRecord tagged = image("b/app", "tagged", List.of(config, layer), null);
        ManifestRecord deleted = image("b/app", "deleted", List.of(layer), null);
        ManifestRecord other = image("a/app", "other", List.of(layer), null);
        store.putManifest(tagged, List.of("v2", "latest"), ACTOR);
        store.putManifest(deleted, List.of("old"), ACTOR);
        store.putManifest(other, List.of(), ACTOR);
        store.deleteManifest("b/app", deleted.digest(), ACTOR);
        byte[] indexBytes = "{\"scrub-index\":1}".getBytes(StandardCharsets.UTF_8);
        ManifestRecord index = new ManifestRecord("b/app", Digest.sha256(indexBytes), MediaTypes.OCI_INDEX, null, null,
                null, indexBytes, List.of(), List.of(tagged.digest()));
        store.putManifest(index, List.of("multi"), ACTOR);

        List<ManifestEntry> all = new ArrayList<>();
        ManifestEntry.Cursor cursor = null;
        for (int pages = 0; pages < 10; pages++) {
            List<ManifestEntry> page = store.listManifests(cursor, 2);
            assertTrue(page.size() <= 2);
            if (page.isEmpty()) {
                break;
            }
            all.addAll(page);
            cursor = page.get(page.size() - 1).cursor();
        }

        assertEquals(4, all.size(), "live and soft-deleted rows, each once");
        assertEquals("a/app", all.get(0).repository(), "ordered by repository, then digest");
        for (int i = 2; i < all.size(); i++) {
            assertTrue(all.get(i - 1).digest().toString().compareTo(all.get(i).digest().toString()) < 0);
        }
        ManifestEntry taggedEntry = all.stream().filter(e -> e.digest().equals(tagged.digest())).findFirst().orElseThrow();
        assertEquals(List.of("latest", "v2"), taggedEntry.tags());
        assertEquals(List.of(config, layer).stream().sorted().toList(), taggedEntry.blobs());
        assertArrayEquals(tagged.content(), taggedEntry.content());
        assertFalse(taggedEntry.deleted());
        ManifestEntry deletedEntry = all.stream().filter(e -> e.digest().equals(deleted.digest())).findFirst().orElseThrow();
        assertTrue(deletedEntry.deleted());
        assertEquals(List.of(), deletedEntry.tags(), "a soft delete takes the tags");
        ManifestEntry indexEntry = all.stream().filter(e -> e.digest().equals(index.digest())).findFirst().orElseThrow();
        assertEquals(List.of(tagged.digest()), indexEntry.children());
        assertEquals(List.of("multi"), indexEntry.tags());
    }

    @Test
    void repairManifestContentTakesOnlyBytesOfTheDigest() {
        Digest layer = digest("repair-layer");
        store.linkBlob("app", layer, 1);
        ManifestRecord manifest = image("app", "repair", List.of(layer), null);
        store.putManifest(manifest, List.of("v1"), ACTOR);

        RegistryException wrong = assertThrows(RegistryException.class,
                () -> store.repairManifestContent("app", manifest.digest(), "{}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(ErrorCode.DIGEST_INVALID, wrong.code());
        assertTrue(store.repairManifestContent("app", manifest.digest(), manifest.content()));
        assertFalse(store.repairManifestContent("other", manifest.digest(), manifest.content()));
        assertArrayEquals(manifest.content(), store.findManifestByTag("app", "v1").orElseThrow().content());
    }
}
