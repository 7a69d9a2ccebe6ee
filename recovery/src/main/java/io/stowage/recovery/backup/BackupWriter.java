package io.stowage.recovery.backup;

import io.stowage.recovery.jobs.LeaseCheck;
import io.stowage.recovery.layout.OciLayout;
import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.meta.BackupSnapshot;
import io.stowage.storage.meta.ChangePosition;
import io.stowage.storage.meta.ManifestGraph;
import io.stowage.storage.meta.MetadataStore;
import io.stowage.storage.meta.StoredManifest;
import io.stowage.storage.meta.TagEvent;
import io.stowage.storage.oci.Digest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One backup run into an OCI image layout, incremental from the watermark in the directory's
 * state file. Layout written:
 *
 * <pre>
 * DIR/
 *   oci-layout                       {"imageLayoutVersion":"1.0.0"}
 *   index.json                       a descriptor per tag, untagged and soft-deleted manifest (IndexDocument)
 *   blobs/sha256/&lt;hex&gt;               layers, configs and manifests, write-once, verified
 *   stowage/backup-state.json        watermark, registry id, pending retries (BackupState)
 *   stowage/journal.jsonl            the tag journal, one event a line (JournalExport)
 *   stowage/tmp/                     temp files of a run in progress
 * </pre>
 *
 * <p>The steps, in the order that keeps the directory consistent if a run stops anywhere: when the
 * registry's {@link ChangePosition} equals the watermark, stop (nothing changed: two small reads).
 * Otherwise read a {@link BackupSnapshot} in one read transaction; copy the content of the
 * manifests that changed after the watermark (and retry the pending ones); force the blob
 * directories; append the journal events up to the snapshot's position; replace index.json; and
 * last, replace the state file with the snapshot's position as the new watermark. Everything the
 * new index names is either copied by this run or by an earlier one, because both come from the
 * same snapshot. Pushes go on meanwhile: the snapshot is a read transaction and blobs are immutable.
 * Not thread-safe: one run at a time per directory ({@link Backups} makes sure).
 */
public final class BackupWriter {
    private static final Logger log = LoggerFactory.getLogger(BackupWriter.class);
    private static final int JOURNAL_PAGE = 1000;

    private final MetadataStore metadata;
    private final BlobStore blobs;
    private final Clock clock;

    public BackupWriter(MetadataStore metadata, BlobStore blobs, Clock clock) {
        this.metadata = metadata;
        this.blobs = blobs;
        this.clock = clock;
    }

    /**
     * Runs one backup into {@code root}, counting into {@code progress}. Returns when the layout and
     * the new state are durable, also when some content could not be copied (those are problems in
     * the progress, and pending in the state); throws when the run could not finish, leaving the
     * previous state in place. {@code lease} is asked before each item and before the layout's files
     * are replaced, so a run whose lease another replica took writes nothing more.
     */
    void write(Path root, BackupProgress progress, LeaseCheck lease) throws IOException {
        String registryId = metadata.registryId();
        BackupState state = BackupTarget.prepare(root, registryId);
        Path tmp = root.resolve(BackupTarget.TMP);
        ChangePosition now = metadata.changePosition();
        ChangePosition since = state.position();
        long journalBytes = state.journalBytes();
        if (now.changeSeq() < since.changeSeq() || now.journalSeq() < since.journalSeq()) {
            // The database is behind the backup (it was restored from an older copy): its counters
            // mean something else now, so copy as if new; content already here is skipped cheaply.
            log.warn("backup watermark is ahead of the registry, starting over to={} watermark={} registry={}", root, since, now);
            since = ChangePosition.START;
            journalBytes = 0;
        }
        Path index = root.resolve(OciLayout.INDEX_FILE);
        if (since.equals(now) && state.pending().isEmpty() && Files.isRegularFile(index)) {
            progress.unchanged();
            return;
        }

        BackupSnapshot snapshot = metadata.backupSnapshot(since.changeSeq());
        BlobCopy copy = new BlobCopy(root, tmp);
        List<BackupState.Pending> pending = copyContent(snapshot, state.pending(), copy, progress, lease);
        copy.flush();
        lease.ensureHeld();

        long journalLength;
        Path journalFile = root.resolve(OciLayout.STOWAGE_DIR).resolve(JournalExport.FILE);
        try (JournalExport journal = JournalExport.open(journalFile, journalBytes)) {
            long after = journal.length() == 0 ? 0 : since.journalSeq();
            long upTo = snapshot.position().journalSeq();
            while (after < upTo) {
                List<TagEvent> page = metadata.journalEvents(after, upTo, JOURNAL_PAGE);
                if (page.isEmpty()) {
                    break;
                }
                journal.append(page);
                progress.journal(page.size());
                after = page.get(page.size() - 1).id();
            }
            journal.force();
            journalLength = journal.length();
        }
        LayoutFiles.forceDirectory(journalFile.getParent());

        IndexDocument document = IndexDocument.of(snapshot);
        LayoutFiles.writeAtomically(tmp, index, document.bytes());
        progress.index(document.counts());

        BackupState next = new BackupState(BackupState.FORMAT, registryId, snapshot.position().changeSeq(),
                snapshot.position().journalSeq(), journalLength, pending, progress.id(), BackupReport.time(clock.instant()));
        LayoutFiles.writeAtomically(tmp, root.resolve(BackupTarget.STATE), next.toJson());
    }

    /**
     * Copies each manifest changed after the watermark, or pending from an earlier run, with its
     * config and layers; each digest once per run. Returns the manifests left incomplete.
     */
    private List<BackupState.Pending> copyContent(BackupSnapshot snapshot, List<BackupState.Pending> retry, BlobCopy copy,
                                                  BackupProgress progress, LeaseCheck lease) throws IOException {
        Set<BackupState.Pending> retrying = new HashSet<>(retry);
        Map<Digest, Boolean> copied = new HashMap<>();
        List<BackupState.Pending> incomplete = new ArrayList<>();
        for (BackupSnapshot.Manifest manifest : snapshot.manifests()) {
            BackupState.Pending key = new BackupState.Pending(manifest.repository(), manifest.digest().toString());
            if (!manifest.changed() && !retrying.contains(key)) {
                continue;
            }
            lease.ensureHeld();
            Boolean manifestCopied = copied.get(manifest.digest());
            boolean complete = manifestCopied != null ? manifestCopied : copyManifest(manifest, copy, progress, copied);
            for (BackupSnapshot.BlobRef blob : blobsOf(manifest)) {
                Boolean ok = copied.get(blob.digest());
                if (ok == null) {
                    lease.ensureHeld();
                    ok = copyBlob(manifest.repository(), blob, copy, progress);
                    copied.put(blob.digest(), ok);
                }
                complete &= ok;
            }
            if (!complete) {
                incomplete.add(key);
            }
        }
        return incomplete;
    }

    /** A changed manifest's blobs come with the snapshot; a pending one's are looked up (sizes unknown). */
    private List<BackupSnapshot.BlobRef> blobsOf(BackupSnapshot.Manifest manifest) {
        if (manifest.changed()) {
            return manifest.blobs();
        }
        Optional<ManifestGraph> graph = metadata.findManifestGraph(manifest.repository(), manifest.digest());
        return graph.map(g -> g.blobs().stream().map(digest -> new BackupSnapshot.BlobRef(digest, -1)).toList())
                .orElse(List.of());
    }

    private boolean copyManifest(BackupSnapshot.Manifest manifest, BlobCopy copy, BackupProgress progress,
                                 Map<Digest, Boolean> copied) throws IOException {
        BlobCopy.Result result;
        if (copy.present(manifest.digest(), manifest.size())) {
            result = new BlobCopy.Result(BlobCopy.Outcome.PRESENT, 0, null);
        } else {
            Optional<StoredManifest> content = metadata.findManifestContent(manifest.repository(), manifest.digest());
            result = content.isPresent() ? copy.write(manifest.digest(), content.get().content())
                    : new BlobCopy.Result(BlobCopy.Outcome.MISSING, 0, "no manifest row is left (collected since the snapshot)");
        }
        progress.manifest(result);
        boolean ok = problem(result, "manifest", manifest.repository(), manifest.digest(), progress);
        copied.put(manifest.digest(), ok);
        return ok;
    }

    private boolean copyBlob(String repository, BackupSnapshot.BlobRef blob, BlobCopy copy, BackupProgress progress)
            throws IOException {
        BlobCopy.Result result = copy.copy(blobs, blob.digest(), blob.size());
        progress.blob(result);
        return problem(result, "blob", repository, blob.digest(), progress);
    }

    /** Records a missing or corrupt copy as a problem; true when the content is in the layout. */
    private static boolean problem(BlobCopy.Result result, String what, String repository, Digest digest,
                                   BackupProgress progress) {
        return switch (result.outcome()) {
            case WRITTEN, PRESENT -> true;
            case MISSING, CORRUPT -> {
                String kind = what + "-" + (result.outcome() == BlobCopy.Outcome.MISSING ? "missing" : "corrupt");
                log.warn("backup could not copy kind={} repository={} digest={} reason={}", kind, repository, digest,
                        result.detail());
                progress.problem(new BackupReport.Problem(kind, repository, digest.toString(), result.detail()));
                yield false;
            }
        };
    }
}
