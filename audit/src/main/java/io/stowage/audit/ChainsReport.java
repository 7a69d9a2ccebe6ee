package io.stowage.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of verifying every chain of an audit directory: one result per chain, each
 * verified on its own, and the problems that span chains (a chain another replica saw that is
 * gone, a chain signed with another key than the one recorded for it, a chain with no key).
 * Intact only when every chain is and no such problem exists.
 *
 * @param own the replica whose figures fill the top-level fields of the JSON (the server's own
 *            chain), or null for the first chain
 */
public record ChainsReport(List<ChainResult> chains, List<ChainProblem> problems, String own) {

    public ChainsReport {
        chains = List.copyOf(chains);
        problems = List.copyOf(problems);
    }

    /** One chain: its replica (null for a log of the single-chain format), the key it verified with, the result. */
    public record ChainResult(String replica, String keyId, String keySource, VerifyReport report) {
        public String label() {
            return replica == null ? "(single-chain log)" : replica;
        }
    }

    /** A problem of a chain as a whole; {@code segment} and {@code seq} may be null and 0 when the chain is absent. */
    public record ChainProblem(String replica, String segment, long seq, String reason) {
    }

    public boolean ok() {
        return problems.isEmpty() && chains.stream().allMatch(c -> c.report().ok()) && !chains.isEmpty();
    }

    /** Every problem, a chain's own first, as one list in the order of the chains. */
    public List<ChainProblem> allProblems() {
        List<ChainProblem> all = new ArrayList<>();
        for (ChainResult chain : chains) {
            VerifyReport.Problem p = chain.report().problem();
            if (p != null) {
                all.add(new ChainProblem(chain.replica(), p.segment(), p.seq(), p.reason()));
            }
        }
        all.addAll(problems);
        return all;
    }

    /**
     * The JSON of {@code GET /admin/audit/verify}: the fields of one chain's report as before
     * (those of {@link #own}), {@code ok} and {@code problem} for all chains, and
     * {@code replicas} with each chain's own report.
     */
    public Map<String, Object> toJson() {
        ChainResult main = chains.stream().filter(c -> own != null && own.equals(c.replica())).findFirst()
                .orElse(chains.isEmpty() ? null : chains.get(0));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", ok());
        json.put("segments", main == null ? 0 : main.report().segments());
        json.put("records", main == null ? 0 : main.report().records());
        json.put("lastSeq", main == null ? 0 : main.report().lastSeq());
        json.put("lastCheckpoint", main == null ? null : main.report().lastCheckpoint());
        List<ChainProblem> all = allProblems();
        if (!all.isEmpty()) {
            json.put("problem", problemJson(all.get(0)));
        }
        List<Map<String, Object>> replicas = new ArrayList<>();
        for (ChainResult chain : chains) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("replica", chain.replica());
            one.putAll(chain.report().toJson());
            one.remove("problem");
            one.put("ok", chain.report().ok() && problems.stream().noneMatch(p -> sameReplica(p, chain)));
            one.put("keyId", chain.keyId());
            one.put("keySource", chain.keySource());
            all.stream().filter(p -> sameReplica(p, chain)).findFirst().ifPresent(p -> one.put("problem", problemJson(p)));
            replicas.add(one);
        }
        for (ChainProblem absent : problems) {
            if (chains.stream().noneMatch(c -> sameReplica(absent, c))) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("replica", absent.replica());
                one.put("ok", false);
                one.put("problem", problemJson(absent));
                replicas.add(one);
            }
        }
        json.put("replicas", replicas);
        return json;
    }

    private static boolean sameReplica(ChainProblem problem, ChainResult chain) {
        return java.util.Objects.equals(problem.replica(), chain.replica());
    }

    private static Map<String, Object> problemJson(ChainProblem problem) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("replica", problem.replica());
        p.put("segment", problem.segment());
        p.put("seq", problem.seq());
        p.put("reason", problem.reason());
        return p;
    }

    /** One line per chain and per problem, as {@code registry audit verify} prints them. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (ChainResult chain : chains) {
            VerifyReport r = chain.report();
            VerifyReport.Problem p = r.problem();
            String who = chain.replica() == null ? "" : "replica " + chain.replica() + " ";
            lines.add(p == null
                    ? "OK " + who + r.segments() + " segments, " + r.records() + " records, last seq " + r.lastSeq()
                    + " (key " + chain.keyId() + ", " + chain.keySource() + ")"
                    : "FAILED " + who + "segment " + p.segment() + " seq " + p.seq() + ": " + p.reason());
        }
        for (ChainProblem p : problems) {
            lines.add("FAILED replica " + p.replica() + (p.segment() == null ? "" : " segment " + p.segment() + " seq "
                    + p.seq()) + ": " + p.reason());
        }
        return lines;
    }
}
