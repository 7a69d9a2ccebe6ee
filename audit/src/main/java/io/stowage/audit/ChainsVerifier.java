package io.stowage.audit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifies every chain of an audit directory, each on its own with its own key
 * ({@link AuditVerifier}), then what only the chains together can show: a chain that another
 * replica recorded (its {@code audit.replicas} event) but that is gone, a chain whose key is not
 * the one another replica recorded for it, a replica the auditor gave a key for whose chain is
 * absent, and a chain no key is found for. Stateless apart from its settings.
 */
public final class ChainsVerifier {
    private final ChainKeys keys;
    private final boolean allowUnsignedTail;

    /** @param allowUnsignedTail as for {@link AuditVerifier}; for a live directory whose logs are being written */
    public ChainsVerifier(ChainKeys keys, boolean allowUnsignedTail) {
        this.keys = keys;
        this.allowUnsignedTail = allowUnsignedTail;
    }

    /** @param own the replica reported in the top-level fields of the JSON, or null */
    public ChainsReport verify(AuditChains chains, String own) throws IOException {
        List<ChainsReport.ChainResult> results = new ArrayList<>();
        List<ChainsReport.ChainProblem> problems = new ArrayList<>();
        Map<String, String> keyIds = new HashMap<>();
        for (AuditChains.Chain chain : chains.list()) {
            ChainKeys.Found key = keys.find(chain);
            if (key == null) {
                problems.add(new ChainsReport.ChainProblem(chain.replica(), null, 0, "no public key for this chain: give "
                        + "one (--public-key " + chain.label() + "=PEM) or keep " + ChainKeys.PUBLIC_KEY_FILE
                        + " beside it"));
                continue;
            }
            VerifyReport report = new AuditVerifier(key.key(), allowUnsignedTail).verify(chain.directory(),
                    chain.replica());
            results.add(new ChainsReport.ChainResult(chain.replica(), key.key().keyId(), key.source(), report));
            if (chain.replica() != null) {
                keyIds.put(chain.replica(), key.key().keyId());
            }
        }
        for (ChainsReport.ChainResult seer : results) {
            seer.report().otherReplicas().forEach((replica, sighting) -> {
                String where = "replica " + seer.label() + " recorded it at seq " + sighting.seq();
                String actual = keyIds.get(replica);
                if (actual == null && results.stream().noneMatch(r -> replica.equals(r.replica()))
                        && problems.stream().noneMatch(p -> replica.equals(p.replica()))) {
                    problems.add(new ChainsReport.ChainProblem(replica, null, 0, "the chain of replica " + replica
                            + " is missing (" + where + ")"));
                } else if (actual != null && !"unknown".equals(sighting.keyId()) && !actual.equals(sighting.keyId())) {
                    problems.add(new ChainsReport.ChainProblem(replica, null, 0, "the chain verifies with key " + actual
                            + ", but " + where + " with key " + sighting.keyId() + ": the chain or its key was replaced"));
                }
            });
        }
        for (String replica : keys.given().keySet()) {
            if (results.stream().noneMatch(r -> replica.equals(r.replica()))
                    && problems.stream().noneMatch(p -> replica.equals(p.replica()))) {
                problems.add(new ChainsReport.ChainProblem(replica, null, 0, "a key was given for replica " + replica
                        + ", but its chain is not in " + chains.root()));
            }
        }
        if (results.isEmpty() && problems.isEmpty()) {
            problems.add(new ChainsReport.ChainProblem(null, null, 0, "no audit chains in " + chains.root()));
        }
        return new ChainsReport(results, problems, own);
    }
}
