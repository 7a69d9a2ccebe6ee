package io.stowage.recovery.backup;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stowage.storage.meta.ChangePosition;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What a backup directory remembers between runs, in {@code stowage/backup-state.json}: whose copy
 * it is, how far it got, and what it could not copy yet.
 *
 * <pre>
 * {"format": 1,
 *  "registryId": "3f9c...",     the registry's id (MetadataStore.registryId); another registry is refused
 *  "changeSeq": 1234,           watermark: manifest changes up to here are in the layout
 *  "journalSeq": 567,           watermark: journal events up to this id are in stowage/journal.jsonl
 *  "journalBytes": 98765,       the length of journal.jsonl that holds exactly those events
 *  "pending": [{"repository": "team/app", "manifest": "sha256:..."}],
 *                               manifests whose content could not all be copied; retried every run
 *  "lastRunId": "backup-...", "lastFinishedAt": "2026-11-26T10:00:00.000Z"}
 * </pre>
 *
 * <p>It is written last in a run, atomically: a run that stops earlier leaves the previous state,
 * so the next run redoes its work (blob copies are idempotent, the journal is cut back to
 * {@code journalBytes}). Immutable.
 */
record BackupState(int format, String registryId, long changeSeq, long journalSeq, long journalBytes,
                   List<Pending> pending, String lastRunId, String lastFinishedAt) {
    static final int FORMAT = 1;
    static final String FILE = "backup-state.json";
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    BackupState {
        pending = pending == null ? List.of() : List.copyOf(pending);
    }

    /** A manifest to copy again: some of its content was missing or corrupt in the registry. */
    record Pending(String repository, String manifest) {
    }

    /** The state of a directory no run has written to yet: everything is still to copy. */
    static BackupState fresh(String registryId) {
        return new BackupState(FORMAT, registryId, ChangePosition.START.changeSeq(), ChangePosition.START.journalSeq(),
                0, List.of(), null, null);
    }

    ChangePosition position() {
        return new ChangePosition(changeSeq, journalSeq);
    }

    static BackupState read(Path file) throws IOException {
        BackupState state = JSON.readValue(file.toFile(), BackupState.class);
        if (state.registryId() == null || state.format() < 1) {
            throw new IOException(file + " is not a backup state file");
        }
        return state;
    }

    byte[] toJson() throws IOException {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
    }
}
