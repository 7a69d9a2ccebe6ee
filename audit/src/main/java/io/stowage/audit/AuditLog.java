package io.stowage.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The appending side of the log. Callers hand in {@link AuditEntry entries} from any thread and
 * get a future that completes once the record is on disk (fsynced). One writer thread owns the
 * files: it takes whatever has queued up, gives each entry its sequence number and hash, writes
 * the batch with one write and one fsync (group commit), rotates and seals segments, and writes a
 * signed checkpoint at least every {@link AuditSettings#checkpointInterval()} while records arrive.
 *
 * <p>Fail-closed: after an I/O error the log is unhealthy, {@link #ensureWritable()} refuses, the
 * failed batch's futures fail, and the writer retries the same records (noting the failure in
 * their detail) until the disk takes them, so no record is dropped. A torn last line left by a
 * crash was never acknowledged; it is cut off when the log opens, and the opening is recorded.
 *
 * <p>One log writes one chain, that of {@link AuditSettings#replica()} (written into every
 * record), in {@link AuditSettings#directory()}; it holds the chain's {@code writer.lock} from
 * open to close, so a second writer is refused ({@link ChainLockedException}). {@link AuditChains}
 * lays the chains of several replicas out side by side.
 */
public final class AuditLog implements AuditSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    private static final int MAX_BATCH = 4096;
    private static final int MAX_QUEUED = 1 << 20;
    private static final String REGISTRY_ACTOR = "registry";
    /**
     * Records of reads are written at once but fsynced at most this much later (or with the next
     * change, whichever is first): no client waits for them, and an fsync per read batch would
     * cost more than the read itself.
     */
    static final long READ_SYNC_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long READ_DRAIN_MILLIS = 50;

    private final AuditSettings settings;
    private final SigningKey key;
    private final VerifyingKey verifyingKey;
    private final Clock clock;
    private final Timestamper timestamper;
    private final FileStore fileStore;
    private final ChainLock chainLock;
    /** Changes, checkpoint requests and the close marker: each wakes the writer at once. */
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
    /**
     * Records of reads: nobody waits for them, so they never wake the writer; it takes them with
     * the next change or within {@link #READ_DRAIN_MILLIS}. At thousands of reads a second this
     * saves a thread wake-up and a write call per read.
     */
    private final ConcurrentLinkedQueue<Pending> reads = new ConcurrentLinkedQueue<>();
    private final AtomicInteger readsQueued = new AtomicInteger();
    private final Thread writer;
    /** Where the writer thread puts a batch's lines; only it uses this. */
    private ByteBuffer writeBuffer = ByteBuffer.allocateDirect(256 * 1024);
    private volatile boolean healthy = true;
    private volatile String failure = "";
    private volatile boolean closing;
    private volatile long lastWrittenSeq;
    private volatile Consumer<List<WrittenRecord>> durableListener = written -> { };
    /** Which segments a purge may delete besides the retention rule, and why not the others. */
    private volatile Predicate<String> purgeable = name -> true;
    private volatile String notPurgeableReason = "";

    // Writer-thread state.
    private FileChannel channel;
    private long segmentNumber;
    private long segmentSize;
    private long segmentFirstSeq;
    private long segmentCount;
    private LocalDate segmentDay;
    private boolean segmentSealed;
    private long lastSeq;
    private String lastHash;
    private long uncheckpointed;
    private long lastCheckpointNanos = System.nanoTime();
    /** When the first written-but-not-fsynced record was written, or -1 when everything is on disk. */
    private long unsyncedSinceNanos = -1;
    /** Records written since the last fsync, told to the durable listener once it is done. */
    private final List<WrittenRecord> unsynced = new ArrayList<>();

    private AuditLog(AuditSettings settings, SigningKey key, Clock clock, Timestamper timestamper) throws IOException {
        this.settings = settings;
        this.key = key;
        this.verifyingKey = key.verifyingKey();
        this.clock = clock;
        this.timestamper = timestamper;
        Files.createDirectories(settings.directory());
        this.fileStore = Files.getFileStore(settings.directory());
        this.chainLock = ChainLock.acquire(settings.directory(), settings.replica());
        this.writer = new Thread(this::run, "audit-writer");
        this.writer.setDaemon(true);
    }

    /**
     * Opens the log in {@code settings.directory()}, continuing the chain of what is there, and
     * records the opening (with what recovery found) followed by a checkpoint.
     *
     * @param timestamper null unless checkpoints are to be timestamped by a TSA
     */
    public static AuditLog open(AuditSettings settings, SigningKey key, Clock clock, Timestamper timestamper)
            throws IOException {
        AuditLog auditLog = new AuditLog(settings, key, clock, timestamper);
        Map<String, Object> recovered;
        try {
            recovered = auditLog.recover();
        } catch (IOException | RuntimeException e) {
            auditLog.closeChannel();
            auditLog.releaseLock();
            throw e;
        }
        auditLog.writer.start();
        recovered.put("keyId", auditLog.verifyingKey.keyId());
        auditLog.append(AuditEntry.event(clock.instant(), "audit.open", REGISTRY_ACTOR, null, null, null, recovered));
        auditLog.checkpointNow().join();
        return auditLog;
    }

    /** Queues an entry; the future completes once its record is durable, or fails if the log cannot take it. */
    @Override
    public CompletableFuture<AuditRecord> append(AuditEntry entry) {
        Pending pending = new Pending(entry, new CompletableFuture<>(), false);
        String refused = offer(pending);
        if (refused != null) {
            pending.done.completeExceptionally(new AuditUnavailableException(refused));
        }
        return pending.done;
    }

    /**
     * Queues the record of a read, which no one waits for: no future to make and complete, a
     * measurable share of the log's cost under a flood of reads. A record the log cannot take is
     * logged here, as the caller of {@link #append} would.
     */
    @Override
    public void appendRead(AuditEntry entry) {
        if (entry.isMutation()) {
            append(entry).exceptionally(failure -> {
                log.error("audit record not written requestId={} action={}", entry.requestId(), entry.action(), failure);
                return null;
            });
            return;
        }
        String refused = offer(new Pending(entry, null, false));
        if (refused != null) {
            log.error("audit record of a read not written ({}) requestId={} action={}", refused, entry.requestId(),
                    entry.action());
        }
    }

    /** Queues a pending entry; null when queued, else why not. */
    private String offer(Pending pending) {
        if (closing) {
            return "audit log is closed";
        }
        if (!pending.entry.isMutation()) {
            if (readsQueued.incrementAndGet() > MAX_QUEUED) {
                readsQueued.decrementAndGet();
                return "audit log queue is full";
            }
            reads.offer(pending);
            return null;
        }
        return queue.offer(pending) ? null : "audit log queue is full";
    }

    /** A record and where its line is: segment number, byte offset, length without the newline. */
    public record WrittenRecord(AuditRecord record, long segment, long offset, int length) {
    }

    /**
     * Sets who is told of records once they are durable, in sequence order, from the writer
     * thread (so it must only hand them on, never block). For the index, which then need not
     * read and parse them back; it must not rely on hearing of every record.
     */
    public void onDurable(Consumer<List<WrittenRecord>> listener) {
        this.durableListener = listener == null ? written -> { } : listener;
    }

    /**
     * Lets {@link #purge} delete only segments {@code mayDelete} accepts (by file name), e.g. those
     * already shipped to write-once storage; a purge that would delete another is refused whole,
     * with {@code reason}.
     */
    public void purgeOnly(Predicate<String> mayDelete, String reason) {
        this.purgeable = mayDelete;
        this.notPurgeableReason = reason;
    }

    /** Writes a checkpoint of the open segment now (if it has unsigned records); completes when durable. */
    public CompletableFuture<AuditRecord> checkpointNow() {
        Pending request = new Pending(null, new CompletableFuture<>(), true);
        if (closing || !queue.offer(request)) {
            request.done.completeExceptionally(new AuditUnavailableException("audit log is closed"));
        }
        return request.done;
    }

    /** Throws unless a mutation may go ahead: the log is healthy and its disk has the configured headroom. */
    @Override
    public void ensureWritable() {
        if (closing) {
            throw new AuditUnavailableException("audit log is closed");
        }
        if (!healthy) {
            throw new AuditUnavailableException("audit log cannot be written: " + failure);
        }
        long free;
        try {
            free = fileStore.getUsableSpace();
        } catch (IOException e) {
            throw new AuditUnavailableException("cannot read the free space of the audit disk", e);
        }
        if (free < settings.minFreeBytes()) {
            throw new AuditUnavailableException("audit disk has " + free + " bytes free, below the "
                    + settings.minFreeBytes() + " bytes the log keeps in reserve");
        }
    }

    public boolean isHealthy() {
        return healthy;
    }

    public VerifyingKey verifyingKey() {
        return verifyingKey;
    }

    public AuditSettings settings() {
        return settings;
    }

    /** The sequence number of the newest durable record. */
    public long lastSeq() {
        return lastWrittenSeq;
    }

    /**
     * Deletes the oldest sealed segments whose sealing checkpoint is older than both
     * {@code olderThan} and the retention; never the open segment, never one in the middle. The
     * purge is recorded (durably, before any file goes) with the segment, sequence number and hash
     * where the log now starts, which is what lets a verifier accept the missing files.
     *
     * @return the names of the deleted segment files, oldest first
     */
    public synchronized List<String> purge(Instant olderThan, String actor) throws IOException {
        ensureWritable();
        Instant retained = clock.instant().minus(settings.retention());
        Instant cutoff = olderThan.isBefore(retained) ? olderThan : retained;
        List<Path> segments = SegmentFiles.list(settings.directory());
        List<Path> doomed = new ArrayList<>();
        AuditRecord through = null;
        for (Path segment : segments.subList(0, Math.max(0, segments.size() - 1))) {
            List<SegmentFiles.Line> lines = SegmentFiles.readAll(segment);
            if (lines.isEmpty()) {
                break;
            }
            AuditRecord seal = RecordCodec.fromMap(RecordCodec.parse(lines.get(lines.size() - 1).bytes()));
            boolean sealed = AuditEntry.CHECKPOINT.equals(seal.entry().kind())
                    && Checkpoint.fromDetail(seal.entry().detail()).sealed();
            if (!sealed || !seal.entry().time().isBefore(cutoff)) {
                break;
            }
            doomed.add(segment);
            through = seal;
        }
        if (doomed.isEmpty()) {
            return List.of();
        }
        List<String> names = doomed.stream().map(p -> p.getFileName().toString()).toList();
        List<String> kept = names.stream().filter(purgeable.negate()).toList();
        if (!kept.isEmpty()) {
            throw new PurgeRefusedException("no segment purged: " + kept + " " + notPurgeableReason, kept);
        }
        Map<String, Object> detail = new TreeMap<>();
        detail.put("segments", names);
        detail.put("throughSegment", names.get(names.size() - 1));
        detail.put("throughSeq", through.seq());
        detail.put("throughHash", through.hash());
        detail.put("olderThan", RecordCodec.TIME.format(cutoff));
        append(AuditEntry.event(clock.instant(), "audit.purge", actor, null, null, null, detail)).join();
        for (Path segment : doomed) {
            Files.delete(segment);
        }
        syncDirectory();
        log.info("audit purge by {} deleted {}", actor, names);
        return names;
    }

    /** Stops taking entries, writes what is queued and a final checkpoint, and closes the files. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        queue.offer(new Pending(null, new CompletableFuture<>(), false));
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!writer.isAlive()) {
            // A writer still retrying a failing disk keeps the chain: no other log may start on it.
            releaseLock();
        }
    }

    private void releaseLock() {
        try {
            chainLock.close();
        } catch (IOException e) {
            log.warn("releasing the audit chain lock failed", e);
        }
    }

    // ---- recovery -------------------------------------------------------------------------

    /** Reads the chain's state from the newest segment, cutting off a torn last line. */
    private Map<String, Object> recover() throws IOException {
        Map<String, Object> found = new TreeMap<>();
        List<Path> segments = SegmentFiles.list(settings.directory());
        lastSeq = 0;
        lastHash = AuditRecord.GENESIS_HASH;
        if (segments.isEmpty()) {
            openSegment(1);
            return found;
        }
        Path newest = segments.get(segments.size() - 1);
        SegmentState state = SegmentState.read(newest);
        if (state.replica != null && !state.replica.equals(settings.replica())) {
            throw new IOException("the audit chain in " + settings.directory() + " belongs to replica '" + state.replica
                    + "', not to " + (settings.replica() == null ? "a log without a replica id" : "'" + settings.replica()
                    + "'") + "; a chain is only ever continued by its own replica");
        }
        if (state.tornBytes > 0) {
            log.warn("audit segment {} ends with {} bytes of an incomplete record (a crash mid-write); cutting them off",
                    newest.getFileName(), state.tornBytes);
            try (FileChannel truncating = FileChannel.open(newest, StandardOpenOption.WRITE)) {
                truncating.truncate(state.goodBytes);
                truncating.force(true);
            }
            found.put("tornBytesRemoved", state.tornBytes);
        }
        if (state.count == 0 && segments.size() > 1) {
            SegmentState previous = SegmentState.read(segments.get(segments.size() - 2));
            lastSeq = previous.lastSeq;
            lastHash = previous.lastHash;
        } else if (state.count > 0) {
            lastSeq = state.lastSeq;
            lastHash = state.lastHash;
        }
        lastWrittenSeq = lastSeq;
        long number = SegmentFiles.number(newest.getFileName().toString());
        if (state.sealed) {
            openSegment(number + 1);
        } else {
            segmentNumber = number;
            channel = FileChannel.open(newest, StandardOpenOption.WRITE);
            segmentSize = state.goodBytes;
            channel.position(segmentSize);
            segmentFirstSeq = state.firstSeq;
            segmentCount = state.count;
            segmentDay = state.firstTime == null ? today() : LocalDate.ofInstant(state.firstTime, ZoneOffset.UTC);
            uncheckpointed = state.sinceCheckpoint;
        }
        if (state.sinceCheckpoint > 0) {
            found.put("unsignedRecordsFound", state.sinceCheckpoint);
        }
        found.put("resumedAfterSeq", lastSeq);
        return found;
    }

    // ---- writer thread --------------------------------------------------------------------

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (true) {
            Pending first;
            try {
                first = queue.poll(pollMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            drainReads(batch);
            if (first != null) {
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH);
            }
            if (!batch.isEmpty()) {
                boolean stop = process(batch);
                batch.clear();
                if (stop) {
                    break;
                }
            }
            if (unsyncedSinceNanos >= 0 && System.nanoTime() - unsyncedSinceNanos >= READ_SYNC_DELAY_NANOS) {
                retrying(this::sync);
            }
            if (uncheckpointed > 0 && System.nanoTime() - lastCheckpointNanos >= settings.checkpointInterval().toNanos()) {
                retrying(() -> writeCheckpoint(false));
            }
        }
        // Reads that slipped in beside the close marker.
        batch.clear();
        drainReads(batch);
        writeEntries(batch);
        retrying(() -> {
            if (uncheckpointed > 0) {
                writeCheckpoint(false);
            }
        });
        closeChannel();
    }

    private void drainReads(List<Pending> batch) {
        Pending read;
        while (batch.size() < MAX_BATCH && (read = reads.poll()) != null) {
            readsQueued.decrementAndGet();
            batch.add(read);
        }
    }

    /** Writes a drained batch: entries in order, checkpoint requests where they stand. True on the close marker. */
    private boolean process(List<Pending> batch) {
        List<Pending> entries = new ArrayList<>();
        boolean stop = false;
        for (Pending p : batch) {
            if (p.entry != null) {
                entries.add(p);
                continue;
            }
            writeEntries(entries);
            entries.clear();
            if (p.checkpoint) {
                retrying(() -> p.done.complete(uncheckpointed > 0 ? writeCheckpoint(false) : null));
            } else {
                stop = true;
            }
        }
        writeEntries(entries);
        return stop;
    }

    private void writeEntries(List<Pending> entries) {
        if (entries.isEmpty()) {
            return;
        }
        List<Pending> attempt = entries;
        int failures = 0;
        while (true) {
            try {
                rotateIfDue();
                List<AuditRecord> written = appendLines(attempt.stream().map(Pending::entry).toList());
                for (int i = 0; i < attempt.size(); i++) {
                    CompletableFuture<AuditRecord> done = attempt.get(i).done;
                    if (done != null) {
                        done.complete(written.get(i));
                    }
                }
                markHealthy();
                return;
            } catch (IOException | RuntimeException e) {
                markUnhealthy(e);
                String note = "write failed at " + clock.instant() + ": " + e.getMessage();
                List<Pending> retry = new ArrayList<>();
                for (Pending p : attempt) {
                    if (p.done != null) {
                        p.done.completeExceptionally(new AuditUnavailableException("audit record not written: "
                                + e.getMessage(), e));
                    }
                    // The caller was told the log failed; the record still goes in, saying so.
                    retry.add(new Pending(p.entry.detail() != null && p.entry.detail().containsKey("auditWriteFailed")
                            ? p.entry : p.entry.withDetail("auditWriteFailed", note), p.done, false));
                }
                attempt = retry;
                if (!backOff(++failures)) {
                    log.error("audit log closed with {} records it could not write", attempt.size());
                    return;
                }
            }
        }
    }

    /** Runs a writer step until it succeeds, backing off while the disk fails. */
    private void retrying(IoStep step) {
        int failures = 0;
        while (true) {
            try {
                step.run();
                markHealthy();
                return;
            } catch (IOException | RuntimeException e) {
                markUnhealthy(e);
                if (!backOff(++failures)) {
                    return;
                }
            }
        }
    }

    /** Sleeps before a retry; false when the log is closing and has retried enough. */
    private boolean backOff(int failures) {
        if (closing && failures >= 3) {
            return false;
        }
        try {
            Thread.sleep(closing ? 50 : Math.min(30_000L, 250L << Math.min(failures, 7)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return true;
    }

    private void markUnhealthy(Exception e) {
        if (healthy) {
            log.error("audit log cannot be written; mutations are refused until it can", e);
        }
        failure = String.valueOf(e.getMessage());
        healthy = false;
    }

    private void markHealthy() {
        if (!healthy) {
            log.warn("audit log is writable again");
        }
        healthy = true;
    }

    private long pollMillis() {
        long now = System.nanoTime();
        long dueIn = TimeUnit.MILLISECONDS.toNanos(READ_DRAIN_MILLIS);
        if (uncheckpointed > 0) {
            dueIn = Math.min(dueIn, settings.checkpointInterval().toNanos() - (now - lastCheckpointNanos));
        }
        if (unsyncedSinceNanos >= 0) {
            dueIn = Math.min(dueIn, READ_SYNC_DELAY_NANOS - (now - unsyncedSinceNanos));
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(dueIn));
    }

    private void sync() throws IOException {
        channel.force(false);
        unsyncedSinceNanos = -1;
        if (!unsynced.isEmpty()) {
            List<WrittenRecord> durable = List.copyOf(unsynced);
            unsynced.clear();
            try {
                durableListener.accept(durable);
            } catch (RuntimeException e) {
                log.warn("audit durable-record listener failed", e);
            }
        }
    }

    /**
     * {@code buffer}, or a larger copy of it that becomes the {@link #writeBuffer}, with room for
     * {@code bytes} more. Direct, kept and reused: a heap buffer is copied by the channel into a
     * temporary direct one, and a batch larger than the last is a fresh allocation (page faults
     * were a tenth of the writer's CPU under a flood of reads).
     */
    private ByteBuffer room(ByteBuffer buffer, int bytes) {
        if (buffer.remaining() >= bytes) {
            return buffer;
        }
        int capacity = Math.max(buffer.capacity() * 2, buffer.position() + bytes);
        ByteBuffer larger = ByteBuffer.allocateDirect(capacity);
        larger.put(buffer.flip());
        writeBuffer = larger;
        return larger;
    }

    /** Chains, writes and fsyncs records at the end of the open segment; all or none. */
    private List<AuditRecord> appendLines(List<AuditEntry> entries) throws IOException {
        ByteBuffer buffer = writeBuffer.clear();
        List<AuditRecord> records = new ArrayList<>(entries.size());
        long seq = lastSeq;
        String prev = lastHash;
        int[] lengths = new int[entries.size()];
        for (AuditEntry entry : entries) {
            RecordCodec.Encoded encoded = RecordCodec.encode(++seq, settings.replica(), entry, prev);
            lengths[records.size()] = encoded.line().length;
            buffer = room(buffer, encoded.line().length + 1);
            buffer.put(encoded.line()).put((byte) '\n');
            records.add(encoded.record());
            prev = encoded.record().hash();
        }
        buffer.flip();
        long start = segmentSize;
        int unsyncedBefore = unsynced.size();
        try {
            long position = start;
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
            long offset = start;
            for (int i = 0; i < records.size(); i++) {
                unsynced.add(new WrittenRecord(records.get(i), segmentNumber, offset, lengths[i]));
                offset += lengths[i] + 1;
            }
            if (entries.stream().anyMatch(AuditEntry::isMutation)) {
                sync();
            } else if (unsyncedSinceNanos < 0) {
                unsyncedSinceNanos = System.nanoTime();
            }
        } catch (IOException e) {
            unsynced.subList(unsyncedBefore, unsynced.size()).clear();
            try {
                channel.truncate(start);
            } catch (IOException ignored) {
                // The torn bytes are cut off when the log opens again; the retry writes after them otherwise.
            }
            throw e;
        }
        if (segmentCount == 0) {
            segmentFirstSeq = lastSeq + 1;
        }
        segmentSize = start + buffer.limit();
        segmentCount += entries.size();
        uncheckpointed += entries.size();
        lastSeq = seq;
        lastHash = prev;
        lastWrittenSeq = seq;
        return records;
    }

    private void rotateIfDue() throws IOException {
        if (segmentSealed) {
            openSegment(segmentNumber + 1);
        }
        boolean full = segmentSize >= settings.segmentMaxBytes();
        boolean newDay = settings.rotateDaily() && !today().equals(segmentDay);
        if (segmentCount > 0 && (full || newDay)) {
            writeCheckpoint(true);
            closeChannel();
            Path sealed = settings.directory().resolve(SegmentFiles.name(segmentNumber));
            Files.setPosixFilePermissions(sealed, PosixFilePermissions.fromString("r--r--r--"));
            openSegment(segmentNumber + 1);
        }
    }

    /** Signs and appends a checkpoint of the open segment, then publishes it as {@code head.json}. */
    private AuditRecord writeCheckpoint(boolean seal) throws IOException {
        if (segmentSealed) {
            return null;
        }
        String time = RecordCodec.TIME.format(clock.instant());
        Checkpoint checkpoint = new Checkpoint(SegmentFiles.name(segmentNumber),
                segmentCount == 0 ? lastSeq + 1 : segmentFirstSeq, lastSeq, segmentCount, lastHash, seal, time,
                verifyingKey.keyId(), settings.replica());
        byte[] statement = checkpoint.signedBytes();
        Map<String, Object> detail = new TreeMap<>();
        detail.put("statement", checkpoint.statement());
        detail.put("signature", Base64.getEncoder().encodeToString(key.sign(statement)));
        if (timestamper != null) {
            try {
                MessageDigest sha = RecordCodec.sha256();
                detail.put("timestampToken", Base64.getEncoder().encodeToString(timestamper.timestamp(sha.digest(statement))));
            } catch (IOException | RuntimeException e) {
                log.warn("time-stamping authority failed; checkpoint is signed but not timestamped", e);
                detail.put("timestampError", String.valueOf(e.getMessage()));
            }
        }
        AuditEntry entry = new AuditEntry(AuditEntry.CHECKPOINT, Instant.parse(time), null, REGISTRY_ACTOR, null, null,
                null, Checkpoint.ACTION, null, null, null, null, null, null, null, null, detail);
        AuditRecord record = appendLines(List.of(entry)).get(0);
        writeHead(record);
        uncheckpointed = 0;
        lastCheckpointNanos = System.nanoTime();
        segmentSealed = seal;
        return record;
    }

    private void writeHead(AuditRecord checkpoint) throws IOException {
        Path head = settings.directory().resolve(SegmentFiles.HEAD_FILE);
        Path temp = settings.directory().resolve(SegmentFiles.HEAD_FILE + ".tmp");
        byte[] line = RecordCodec.line(checkpoint);
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(ByteBuffer.wrap((new String(line, StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8)));
            out.force(true);
        }
        try {
            Files.move(temp, head, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, head, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory();
    }

    private void openSegment(long number) throws IOException {
        Path file = settings.directory().resolve(SegmentFiles.name(number));
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        segmentNumber = number;
        segmentSize = channel.size();
        segmentFirstSeq = lastSeq + 1;
        segmentCount = 0;
        segmentDay = today();
        segmentSealed = false;
        syncDirectory();
    }

    private void syncDirectory() throws IOException {
        try (FileChannel dir = FileChannel.open(settings.directory(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                log.warn("closing an audit segment failed", e);
            }
            channel = null;
        }
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    @FunctionalInterface
    private interface IoStep {
        void run() throws IOException;
    }

    /** An entry on its way to disk, a checkpoint request ({@code entry == null, checkpoint}), or the close marker. */
    /** An entry (with {@code done} null when no one waits for it), a checkpoint request, or the close marker. */
    private record Pending(AuditEntry entry, CompletableFuture<AuditRecord> done, boolean checkpoint) {
    }

    /** What the newest segment holds, read at start-up. */
    private static final class SegmentState {
        long goodBytes;
        long tornBytes;
        long count;
        long firstSeq;
        Instant firstTime;
        long lastSeq;
        String lastHash;
        /** The replica of the newest record, null when it names none. */
        String replica;
        long sinceCheckpoint;
        boolean sealed;

        static SegmentState read(Path segment) throws IOException {
            SegmentState state = new SegmentState();
            SegmentFiles.readLines(segment, 0, line -> {
                if (!line.complete()) {
                    state.tornBytes = Files.size(segment) - line.offset();
                    return false;
                }
                AuditRecord record;
                try {
                    record = RecordCodec.fromMap(RecordCodec.parse(line.bytes()));
                } catch (MalformedRecordException e) {
                    throw new IOException("audit segment " + segment.getFileName() + " is damaged at byte "
                            + line.offset() + " (" + e.getMessage() + "); run `registry audit verify` before starting", e);
                }
                if (state.count == 0) {
                    state.firstSeq = record.seq();
                    state.firstTime = record.entry().time();
                }
                state.count++;
                state.lastSeq = record.seq();
                state.lastHash = record.hash();
                state.replica = record.replica();
                state.goodBytes = line.offset() + line.bytes().length + 1;
                if (AuditEntry.CHECKPOINT.equals(record.entry().kind())) {
                    state.sinceCheckpoint = 0;
                    state.sealed = Checkpoint.fromDetail(record.entry().detail()).sealed();
                } else {
                    state.sinceCheckpoint++;
                }
                return true;
            });
            return state;
        }
    }
}
