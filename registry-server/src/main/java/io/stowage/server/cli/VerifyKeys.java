package io.stowage.server.cli;

import io.stowage.audit.ChainKeys;
import io.stowage.audit.ChainsReport;
import io.stowage.audit.ReplicaId;
import io.stowage.audit.VerifyingKey;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The key options of {@code registry audit verify} ({@code --public-key [REPLICA=]PEM},
 * {@code --keys-dir}) and how its result is printed, shared by the directory and the bucket forms.
 */
final class VerifyKeys {
    private VerifyKeys() {
    }

    static ChainKeys parse(List<String> publicKeys, Path keysDir) throws IOException {
        Map<String, VerifyingKey> perReplica = new HashMap<>();
        VerifyingKey forAll = null;
        for (String option : publicKeys) {
            int equals = option.indexOf('=');
            String replica = equals < 0 ? null : option.substring(0, equals);
            Path file = Path.of(equals < 0 ? option : option.substring(equals + 1));
            VerifyingKey key;
            try {
                key = VerifyingKey.fromPem(Files.readString(file));
            } catch (IOException e) {
                throw new IOException("cannot read public key " + file + ": " + e.getMessage(), e);
            }
            if (replica == null) {
                if (forAll != null) {
                    throw new IllegalArgumentException("--public-key without REPLICA= given twice; name the replica of each");
                }
                forAll = key;
            } else if (perReplica.put(ReplicaId.check(replica), key) != null) {
                throw new IllegalArgumentException("--public-key given twice for replica " + replica);
            }
        }
        if (keysDir != null && !Files.isDirectory(keysDir)) {
            throw new IOException("--keys-dir " + keysDir + " is not a directory");
        }
        return new ChainKeys(perReplica, forAll, keysDir);
    }

    /**
     * Prints one line per chain and per problem, then the verdict; returns the exit status (0 intact, 1 not).
     * A directory of one chain of the single-chain format prints exactly as before replicas.
     */
    static int print(ChainsReport report, PrintWriter out) {
        report.lines().forEach(out::println);
        boolean onlySingleChain = report.chains().size() == 1 && report.chains().get(0).replica() == null
                && report.problems().isEmpty();
        if (!onlySingleChain) {
            out.println(report.ok() ? "OK all " + report.chains().size() + " chains intact"
                    : "FAILED " + report.allProblems().size() + " problem(s) in " + report.chains().size() + " chain(s)");
        }
        return report.ok() ? 0 : 1;
    }
}
