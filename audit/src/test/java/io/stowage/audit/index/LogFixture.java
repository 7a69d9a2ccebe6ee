package io.stowage.audit.index;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditLog;
import io.stowage.audit.AuditRecord;
import io.stowage.audit.AuditSettings;
import io.stowage.audit.RecordCodec;
import io.stowage.audit.SegmentFiles;
import io.stowage.audit.SigningKey;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * A real audit log in a temporary directory with small (64 KiB) segments, filled with request
 * records whose values cycle through a few repositories, actors, actions and statuses, one
 * second apart from {@link #BASE}; and the ground truth to check the index against, read
 * straight from the segments.
 */
final class LogFixture {
    static final Instant BASE = Instant.parse("2024-03-01T00:00:00Z");
    static final String[] ACTIONS = {"manifest.get", "blob.get", "manifest.put", "blob.upload"};

    final Path auditDir;
    private final Path keyFile;
    private AuditLog log;
    private int appended;

    LogFixture(Path root) throws IOException {
        this.auditDir = root.resolve("audit");
        this.keyFile = root.resolve("keys/audit.pem");
        open();
    }

    void open() throws IOException {
        log = AuditLog.open(AuditSettings.defaults(auditDir).withSegmentMaxBytes(64 * 1024),
                SigningKey.loadOrCreate(keyFile), Clock.systemUTC(), null);
    }

    void close() {
        log.close();
    }

    /** Hands every durable record to {@code index}, as the registry wires them. */
    void feed(AuditIndex index) {
        log.onDurable(index::recordsDurable);
    }

    /**
     * Appends {@code count} more request records and waits until all are durable. Waits every
     * 100 records: the log rotates only between the batches it writes, so that keeps segments small.
     */
    List<AuditRecord> append(int count) {
        List<AuditRecord> written = new ArrayList<>(count);
        List<CompletableFuture<AuditRecord>> pending = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            pending.add(log.append(entry(appended++)));
            if (pending.size() == 100 || n == count - 1) {
                pending.forEach(f -> written.add(f.join()));
                pending.clear();
            }
        }
        return written;
    }

    static AuditEntry entry(int i) {
        String repository = "team/app" + (i % 5);
        String action = ACTIONS[i % ACTIONS.length];
        boolean write = action.endsWith("put") || action.endsWith("upload");
        int status = i % 10 == 3 ? 404 : write ? 201 : 200;
        return new AuditEntry(AuditEntry.REQUEST, BASE.plusSeconds(i), "req-" + i, "user" + (i % 7), "10.0.0." + (i % 250),
                write ? "PUT" : "GET", "/v2/" + repository + "/manifests/v" + i, action, repository, "v" + i, null,
                status, 0L, 512L, 3L, "test-agent/1.0", null);
    }

    /** Every complete record in the segments, oldest first. */
    List<AuditRecord> scan() throws IOException {
        List<AuditRecord> records = new ArrayList<>();
        for (Path segment : SegmentFiles.list(auditDir)) {
            for (SegmentFiles.Line line : SegmentFiles.readAll(segment)) {
                if (line.complete()) {
                    records.add(RecordCodec.fromMap(RecordCodec.parse(line.bytes())));
                }
            }
        }
        return records;
    }

    /** What the query must find, worked out by filtering the scan in Java. */
    List<Long> expected(AuditQuery q) throws IOException {
        return scan().stream().filter(matches(q)).map(AuditRecord::seq).toList();
    }

    static Predicate<AuditRecord> matches(AuditQuery q) {
        return r -> {
            AuditEntry e = r.entry();
            return (q.repository() == null || q.repository().equals(e.repository()))
                    && (q.actor() == null || q.actor().equals(e.actor()))
                    && (q.action() == null || q.action().equals(e.action()))
                    && (q.status() == null || q.status().equals(e.status()))
                    && (q.since() == null || !e.time().isBefore(q.since()))
                    && (q.until() == null || e.time().isBefore(q.until()))
                    && (q.afterSeq() == null || r.seq() > q.afterSeq());
        };
    }
}
