package io.stowage.audit.index;

import io.stowage.audit.AuditLog;
import io.stowage.audit.AuditRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A queryable index of the audit log, so that "what happened to this repository", "what did this
 * user do last week" answer in milliseconds over millions of records instead of a scan of every
 * segment. The segments stay the source of truth: the index (a SQLite file) holds only where
 * runs of records' lines are and which blocks of records hold each filter value and time, the
 * records are read and tested from the segments, and the whole index can be deleted at any time
 * and is rebuilt on the next use.
 *
 * <p>The index follows the log lazily: every query first indexes whatever was appended since the
 * last one ({@link #catchUp()}), so a query sees every record that was durable when it started.
 * Thread-safe: catch-up and the search (the index lookups and the scan of the runs they lead
 * to) are serialised on this object; reading the records of a page happens outside the lock.
 */
public final class AuditIndex implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditIndex.class);
    private static final int BATCH_ROWS = 5_000;
    private static final int EXPORT_PAGE = AuditQuery.MAX_LIMIT;
    /** Rows the writer may hand over between catch-ups; about 100 bytes each, beyond that the file is read. */
    private static final int FED_ROWS = 1 << 17;

    private final Path auditDirectory;
    private final IndexStore store;
    private final FedRows fed = new FedRows(FED_ROWS);
    private final CatchUp catchUp;
    private boolean closed;

    private AuditIndex(Path auditDirectory, IndexStore store) {
        this.auditDirectory = auditDirectory;
        this.store = store;
        this.catchUp = new CatchUp(auditDirectory, store, fed, BATCH_ROWS);
    }

    /**
     * Takes records the log has made durable (see {@link AuditLog#onDurable}), so the next
     * catch-up stores them without reading their lines back. Never blocks; optional: whatever is
     * not handed over here is read from the segments.
     */
    public void recordsDurable(List<AuditLog.WrittenRecord> written) {
        fed.offer(written);
    }

    /**
     * Opens (or creates) the index in {@code dbFile} for the log in {@code auditDir}. Nothing is
     * indexed yet; the first {@link #catchUp()} or query does that.
     */
    public static AuditIndex open(Path dbFile, Path auditDir) {
        try {
            return new AuditIndex(auditDir, IndexStore.open(dbFile));
        } catch (SQLException e) {
            throw new AuditIndexException("cannot open the audit index " + dbFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Indexes every complete record appended since the last call, rebuilding the index from
     * scratch when it no longer matches the segments (deleted, restored from elsewhere, a segment
     * gone that a purge would not have removed).
     *
     * @return how many records were indexed
     * @throws AuditIndexException when the segments cannot be read or are damaged, or the index cannot be written
     */
    public synchronized long catchUp() {
        ensureOpen();
        try {
            try {
                return catchUp.run();
            } catch (StaleIndexException e) {
                log.warn("audit index does not match the audit log ({}); rebuilding it", e.getMessage());
                return rebuildLocked();
            }
        } catch (IOException | SQLException e) {
            throw new AuditIndexException("cannot bring the audit index up to date: " + e.getMessage(), e);
        }
    }

    /** How many records the last catch-up stored from {@link #recordsDurable} instead of the segments. */
    synchronized long lastCatchUpFromWriter() {
        return catchUp.lastFromWriter();
    }

    /** Throws the index away and indexes the whole log again; returns how many records that was. */
    public synchronized long rebuild() {
        ensureOpen();
        try {
            return rebuildLocked();
        } catch (IOException | SQLException e) {
            throw new AuditIndexException("cannot rebuild the audit index: " + e.getMessage(), e);
        }
    }

    /**
     * One page of the records matching {@code query}, after catching up with the log.
     *
     * @throws AuditIndexException when the index or the segments cannot be read
     */
    public AuditPage query(AuditQuery query) {
        try {
            return page(query);
        } catch (StaleIndexException e) {
            // A record was not where the index said: a purge raced this query, or the index is wrong.
            log.warn("audit index is stale ({}); rebuilding it before answering", e.getMessage());
            rebuild();
            try {
                return page(query);
            } catch (StaleIndexException again) {
                throw new AuditIndexException("the audit index disagrees with the segments even after a rebuild: "
                        + again.getMessage());
            }
        }
    }

    /**
     * Hands every record matching {@code query} to {@code action}, in seq order, a page at a time,
     * for exports of any size; the query's {@code limit} is ignored.
     */
    public void forEach(AuditQuery query, Consumer<? super AuditRecord> action) {
        AuditQuery page = query.withLimit(EXPORT_PAGE);
        while (true) {
            AuditPage result = query(page);
            result.records().forEach(action);
            if (result.next() == null) {
                return;
            }
            page = page.withAfterSeq(result.next());
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            store.close();
        } catch (SQLException e) {
            log.warn("closing the audit index failed", e);
        }
    }

    private AuditPage page(AuditQuery query) {
        List<RecordLocation> found = find(query);
        boolean more = found.size() > query.limit();
        List<RecordLocation> shown = more ? found.subList(0, query.limit()) : found;
        List<AuditRecord> records = new ArrayList<>(shown.size());
        try (SegmentReader reader = new SegmentReader(auditDirectory)) {
            for (RecordLocation location : shown) {
                records.add(reader.read(location));
            }
        } catch (IOException e) {
            throw new AuditIndexException("cannot read audit records: " + e.getMessage(), e);
        }
        return new AuditPage(records, more ? shown.get(shown.size() - 1).seq() : null);
    }

    /** Catches up, then looks up one more location than the page holds, to know whether there are more. */
    private synchronized List<RecordLocation> find(AuditQuery query) {
        catchUp();
        try {
            return IndexSearch.find(store.connection(), auditDirectory, query, query.limit() + 1);
        } catch (SQLException e) {
            throw new AuditIndexException("cannot query the audit index: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new AuditIndexException("cannot read audit records: " + e.getMessage(), e);
        }
    }

    private long rebuildLocked() throws IOException, SQLException {
        store.clear();
        long started = System.nanoTime();
        long indexed = catchUp.run();
        log.info("audit index rebuilt: {} records in {} ms", indexed, (System.nanoTime() - started) / 1_000_000);
        return indexed;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("audit index is closed");
        }
    }
}
