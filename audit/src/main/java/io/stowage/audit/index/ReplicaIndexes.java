package io.stowage.audit.index;

import io.stowage.audit.AuditChains;
import io.stowage.audit.AuditLog;
import io.stowage.audit.AuditRecord;
import io.stowage.audit.index.ReplicaPage.Found;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * The query index over every chain of an audit directory: one {@link AuditIndex} (one SQLite
 * file) per chain, opened as chains appear, each following its chain on its own; a query asks
 * each chain and merges the pages. A replica indexes the other replicas' chains from their files
 * while they write them (an incomplete last line waits for the next catch-up; their purges make
 * that index rebuild), and its own chain also from what its writer hands over.
 *
 * <p>Order: the chains' records merged by time, then replica, then seq, each chain in seq order.
 * Paging is by {@link ReplicaCursor}, one position per chain, so a page never repeats or skips a
 * record, whatever was appended to any chain between pages. Thread-safe.
 */
public final class ReplicaIndexes implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaIndexes.class);
    private static final Comparator<Head> ORDER = Comparator
            .<Head>comparingLong(h -> Micros.floor(h.record().entry().time()))
            .thenComparing(Head::chain)
            .thenComparingLong(h -> h.record().seq());

    private final Path indexDirectory;
    private final AuditChains chains;
    private final String own;
    /** Open indexes by chain key ({@link ReplicaCursor#SINGLE_CHAIN} or the replica), sorted. */
    private final TreeMap<String, AuditIndex> indexes = new TreeMap<>();
    private final Map<String, String> replicaOfChain = new java.util.concurrent.ConcurrentHashMap<>();
    private boolean closed;

    /**
     * @param indexDirectory where the index files go, {@code <replica>.db} each
     * @param own            this process's replica, whose log feeds its index; null when it writes none
     */
    public ReplicaIndexes(Path indexDirectory, AuditChains chains, String own) {
        this.indexDirectory = indexDirectory;
        this.chains = chains;
        this.own = own;
    }

    /** The index of this replica's own chain, for look-ups that concern what this replica accepted. */
    public synchronized AuditIndex own() {
        return index(own, chains.chainDirectory(own));
    }

    /**
     * The index of every replica's chain now present, by replica id (a chain of the single-chain
     * format nobody adopted is left out: it has no replica to name).
     */
    public Map<String, AuditIndex> byReplica() {
        Map<String, AuditIndex> chains = new TreeMap<>(refresh());
        chains.remove(ReplicaCursor.SINGLE_CHAIN);
        return chains;
    }

    /** Takes records this replica's log has made durable (see {@link AuditLog#onDurable}); never blocks. */
    public void recordsDurable(List<AuditLog.WrittenRecord> written) {
        own().recordsDurable(written);
    }

    /**
     * Indexes what every chain appended since the last call, opening the index of chains that
     * appeared; a chain that cannot be indexed is logged and left for the next call.
     */
    public void catchUp() {
        for (Map.Entry<String, AuditIndex> chain : refresh().entrySet()) {
            try {
                chain.getValue().catchUp();
            } catch (AuditIndexException e) {
                log.warn("audit index catch-up failed chain={} reason={}", chain.getKey(), e.getMessage());
            }
        }
    }

    /**
     * One page of the records matching {@code query} in every chain (or the one of
     * {@code query.replica()}), after {@code after}; the query's {@code afterSeq} is ignored.
     *
     * @throws AuditIndexException when a chain cannot be read, naming it
     */
    public ReplicaPage query(AuditQuery query, ReplicaCursor after) {
        TreeMap<String, AuditIndex> chosen = new TreeMap<>();
        refresh().forEach((chain, index) -> {
            if (query.replica() == null || query.replica().equals(chain)) {
                chosen.put(chain, index);
            }
        });
        PriorityQueue<Head> heads = new PriorityQueue<>(ORDER);
        Map<String, ChainPage> pages = new HashMap<>();
        for (Map.Entry<String, AuditIndex> chain : chosen.entrySet()) {
            AuditPage page;
            try {
                page = chain.getValue().query(query.withAfterSeq(after.after(chain.getKey())));
            } catch (AuditIndexException e) {
                throw new AuditIndexException("chain " + chain.getKey() + ": " + e.getMessage(), e);
            }
            ChainPage chainPage = new ChainPage(chain.getKey(), page);
            pages.put(chain.getKey(), chainPage);
            chainPage.advance(heads);
        }
        List<Found> records = new ArrayList<>();
        Map<String, Long> moved = new TreeMap<>();
        while (records.size() < query.limit() && !heads.isEmpty()) {
            Head head = heads.poll();
            records.add(new Found(replicaOf(head.chain(), head.record()), head.record()));
            moved.put(head.chain(), head.record().seq());
            pages.get(head.chain()).advance(heads);
        }
        boolean more = !heads.isEmpty() || pages.values().stream().anyMatch(p -> p.page.next() != null);
        if (!more) {
            return new ReplicaPage(records, null);
        }
        ReplicaCursor next = after.with(moved);
        String text = chosen.size() == 1 ? String.valueOf(next.after(chosen.firstKey())) : next.format(chosen.keySet());
        return new ReplicaPage(records, text);
    }

    /** Every record matching {@code query}, a page at a time, in the order of {@link #query}. */
    public void forEach(AuditQuery query, java.util.function.Consumer<Found> action) {
        AuditQuery page = query.withLimit(AuditQuery.MAX_LIMIT);
        ReplicaCursor after = ReplicaCursor.START;
        while (true) {
            ReplicaPage result = query(page, after);
            result.records().forEach(action);
            if (result.next() == null) {
                return;
            }
            after = ReplicaCursor.parse(result.next());
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        indexes.values().forEach(AuditIndex::close);
        indexes.clear();
    }

    /** Opens the index of every chain now present; returns them all. */
    private synchronized TreeMap<String, AuditIndex> refresh() {
        if (closed) {
            throw new IllegalStateException("audit indexes are closed");
        }
        try {
            for (AuditChains.Chain chain : chains.list()) {
                index(chain.replica(), chain.directory());
            }
        } catch (IOException e) {
            throw new AuditIndexException("cannot list the audit chains in " + chains.root() + ": " + e.getMessage(), e);
        }
        return new TreeMap<>(indexes);
    }

    private AuditIndex index(String replica, Path chainDirectory) {
        String key = replica == null ? ReplicaCursor.SINGLE_CHAIN : replica;
        return indexes.computeIfAbsent(key, k -> {
            replicaOfChain.put(k, replica);
            String file = replica == null ? "single-chain.db" : replica + ".db";
            return AuditIndex.open(indexDirectory.resolve(file), chainDirectory);
        });
    }

    private String replicaOf(String chain, AuditRecord record) {
        return record.replica() != null ? record.replica() : replicaOfChain.get(chain);
    }

    /** The next record of one chain's page, as a merge candidate. */
    private record Head(String chain, AuditRecord record) {
    }

    /** One chain's page and how far the merge has taken from it. */
    private static final class ChainPage {
        private final String chain;
        private final AuditPage page;
        private int taken;

        ChainPage(String chain, AuditPage page) {
            this.chain = chain;
            this.page = page;
        }

        void advance(PriorityQueue<Head> heads) {
            if (taken < page.records().size()) {
                heads.add(new Head(chain, page.records().get(taken++)));
            }
        }
    }
}
