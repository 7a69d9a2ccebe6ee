package io.stowage.recovery.reimport;

import java.util.ArrayList;
import java.util.List;

/**
 * What an import did with each manifest and blob it looked at: fetched, verified and stored
 * ({@code imported}); there already ({@code alreadyPresent}); its bytes were in the blob store but
 * not linked into the repository, so they were copied through an upload session of it
 * ({@code linked}); or not stored, with why ({@code failed}). {@code bytes} counts what came from
 * the source. Immutable.
 */
public record ImportReport(List<Item> imported, List<Item> alreadyPresent, List<Item> linked, List<Item> failed,
                           long bytes) {

    public ImportReport {
        imported = List.copyOf(imported);
        alreadyPresent = List.copyOf(alreadyPresent);
        linked = List.copyOf(linked);
        failed = List.copyOf(failed);
    }

    public boolean complete() {
        return failed.isEmpty();
    }

    /**
     * One manifest or blob.
     *
     * @param kind   {@code manifest} or {@code blob}
     * @param size   bytes, or -1 where not known (a failed item)
     * @param note   why it failed, or for a present manifest whether it is {@code deleted}; else null
     */
    public record Item(String digest, String kind, long size, String note) {
    }

    /** Collects the items of one import; used by one thread. */
    public static final class Tally {
        private final List<Item> imported = new ArrayList<>();
        private final List<Item> present = new ArrayList<>();
        private final List<Item> linked = new ArrayList<>();
        private final List<Item> failed = new ArrayList<>();
        private long bytes;

        void imported(String digest, String kind, long size) {
            imported.add(new Item(digest, kind, size, null));
            bytes += size;
        }

        void present(String digest, String kind, long size, String note) {
            present.add(new Item(digest, kind, size, note));
        }

        void linked(String digest, long size) {
            linked.add(new Item(digest, "blob", size, null));
        }

        void failed(String digest, String kind, String reason) {
            failed.add(new Item(digest, kind, -1, reason));
        }

        int failures() {
            return failed.size();
        }

        public ImportReport report() {
            return new ImportReport(imported, present, linked, failed, bytes);
        }
    }
}
