package io.stowage.audit.index;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditRecord;
import io.stowage.audit.RecordCodec;
import io.stowage.audit.SegmentFiles;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * A large audit log written straight to segment files (no group commit, no fsync, no
 * checkpoints), chained from the genesis hash as the real log would be; plus each record's
 * values kept in arrays so a test can work out exactly what a query must return.
 *
 * <p>Values are skewed like real traffic: a few busy repositories and actors, mostly reads,
 * mostly status 200, a rare 500. Times step 50 ms per record but each lags by up to two seconds,
 * so time is not monotonic in seq, as in a real log where a record carries its request's start.
 */
final class SyntheticLog {
    static final Instant BASE = Instant.parse("2024-06-01T00:00:00Z");
    static final String[] ACTIONS = {"manifest.get", "manifest.head", "blob.get", "blob.head", "manifest.put",
            "blob.upload", "tag.list", "catalog.list", "manifest.delete", "blob.delete", "auth.token", "referrers.get"};

    private static final int HANDOFF = 2_000;

    final int count;
    final int[] repository;
    final int[] actor;
    final byte[] action;
    final short[] status;
    final long[] timeMicros;

    private SyntheticLog(int count) {
        this.count = count;
        repository = new int[count];
        actor = new int[count];
        action = new byte[count];
        status = new short[count];
        timeMicros = new long[count];
    }

    static String repositoryName(int i) {
        return "org" + (i % 50) + "/app" + i;
    }

    static String actorName(int i) {
        return "user" + i;
    }

    /**
     * Writes {@code count} records (seq 1..count) into segments of about {@code segmentBytes}.
     * Sealing (which must go in chain order) and encoding plus writing the lines run on two
     * threads, a batch of sealed records handed from one to the other.
     */
    static SyntheticLog write(Path dir, int count, long segmentBytes) throws IOException {
        Files.createDirectories(dir);
        SyntheticLog log = new SyntheticLog(count);
        BlockingQueue<List<AuditRecord>> sealed = new ArrayBlockingQueue<>(16);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        Future<?> written = writer.submit(() -> writeLines(dir, segmentBytes, sealed));
        try {
            SplittableRandom random = new SplittableRandom(42);
            String prev = AuditRecord.GENESIS_HASH;
            List<AuditRecord> batch = new ArrayList<>(HANDOFF);
            for (int i = 0; i < count; i++) {
                AuditRecord record = RecordCodec.seal(i + 1L, null, log.entry(i, random), prev);
                prev = record.hash();
                batch.add(record);
                if (batch.size() == HANDOFF) {
                    hand(sealed, written, batch);
                    batch = new ArrayList<>(HANDOFF);
                }
            }
            hand(sealed, written, batch);
            hand(sealed, written, List.of());
            written.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IOException("writing the synthetic log failed", e.getCause());
        } finally {
            writer.shutdownNow();
        }
        return log;
    }

    /** Draws one record's values, remembers them, and makes its entry. */
    private AuditEntry entry(int i, SplittableRandom random) {
        int repo = skewed(random, 1000);
        int user = skewed(random, 300);
        int act = random.nextInt(100) < 70 ? random.nextInt(4) : random.nextInt(ACTIONS.length);
        int roll = random.nextInt(1000);
        int code = roll == 0 ? 500 : roll < 50 ? 404 : roll < 80 ? 401 : act == 4 || act == 5 ? 201 : 200;
        long micros = Micros.floor(BASE) + i * 50_000L - random.nextLong(2_000_000L);
        repository[i] = repo;
        actor[i] = user;
        action[i] = (byte) act;
        status[i] = (short) code;
        timeMicros[i] = micros;
        String repoName = repositoryName(repo);
        boolean write = act == 4 || act == 5 || act == 8 || act == 9;
        return new AuditEntry(AuditEntry.REQUEST, Instant.EPOCH.plusNanos(micros * 1000), null, actorName(user), null,
                write ? "PUT" : "GET", "/v2/" + repoName + "/manifests/latest", ACTIONS[act], repoName, null,
                null, code, null, null, (long) random.nextInt(500), null, null);
    }

    private static void hand(BlockingQueue<List<AuditRecord>> queue, Future<?> consumer, List<AuditRecord> batch)
            throws InterruptedException, ExecutionException {
        while (!queue.offer(batch, 100, TimeUnit.MILLISECONDS)) {
            if (consumer.isDone()) {
                consumer.get();
                throw new IllegalStateException("the writer stopped early");
            }
        }
    }

    /** The second thread: encodes each sealed record's line and writes it, starting a new segment when one is full. */
    private static Void writeLines(Path dir, long segmentBytes, BlockingQueue<List<AuditRecord>> sealed)
            throws IOException, InterruptedException {
        long segment = 1;
        long written = 0;
        OutputStream out = open(dir, segment);
        try {
            for (List<AuditRecord> batch = sealed.take(); !batch.isEmpty(); batch = sealed.take()) {
                for (AuditRecord record : batch) {
                    byte[] line = RecordCodec.line(record);
                    if (written > 0 && written + line.length + 1 > segmentBytes) {
                        out.close();
                        out = open(dir, ++segment);
                        written = 0;
                    }
                    out.write(line);
                    out.write('\n');
                    written += line.length + 1;
                }
            }
        } finally {
            out.close();
        }
        return null;
    }

    /** The seqs of records matching {@code match} (given the record's index, seq - 1), after {@code afterSeq}, at most {@code limit}. */
    long[] expected(IntPredicate match, long afterSeq, int limit) {
        long[] found = new long[limit];
        int n = 0;
        for (int i = (int) afterSeq; i < count && n < limit; i++) {
            if (match.test(i)) {
                found[n++] = i + 1L;
            }
        }
        return java.util.Arrays.copyOf(found, n);
    }

    /** Mostly small numbers: about half the traffic goes to the first tenth of the values. */
    private static int skewed(SplittableRandom random, int bound) {
        return random.nextBoolean() ? random.nextInt(bound / 10) : random.nextInt(bound);
    }

    private static OutputStream open(Path dir, long segment) throws IOException {
        return new BufferedOutputStream(Files.newOutputStream(dir.resolve(SegmentFiles.name(segment))), 1 << 20);
    }
}
