package io.stowage.server.cli;

import io.stowage.audit.AuditChains;
import io.stowage.audit.AuditExport;
import io.stowage.audit.AuditRecord;
import io.stowage.audit.ChainKeys;
import io.stowage.audit.ChainsReport;
import io.stowage.audit.ChainsVerifier;
import io.stowage.audit.ship.ArchiveDownload;
import io.stowage.server.audit.S3SegmentArchive;
import io.stowage.storage.blob.s3.S3Settings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * {@code registry audit verify|export}: offline tools over an audit directory (every replica's
 * chain in it), with no server and no database, so an auditor can run them on a copy years later.
 */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Verify or export an audit log, offline.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Export.class})
final class AuditCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Exit 0 when every chain is intact, 1 naming each bad chain, segment and sequence number, 2 when it cannot run. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check the hash chain, canonical form, signed checkpoints and completeness of every "
                    + "replica's audit chain.")
    static final class Verify implements Callable<Integer> {
        @Option(names = "--dir", paramLabel = "DIR",
                description = "The audit directory (with replicas/<id>/ chains, or segment-*.log of one chain).")
        Path dir;

        @Option(names = "--s3-bucket", paramLabel = "BUCKET",
                description = "Verify what the replicas shipped to this bucket (audit.ship) instead of a directory.")
        String bucket;

        @Option(names = "--prefix", paramLabel = "PREFIX", defaultValue = "", description = "The audit.ship.prefix.")
        String prefix;

        @Option(names = "--endpoint", paramLabel = "URL", description = "The S3 endpoint (MinIO, Ceph RGW); empty for AWS.")
        String endpoint;

        @Option(names = "--region", paramLabel = "REGION", defaultValue = "us-east-1", description = "The signing region.")
        String region;

        @Option(names = "--path-style", description = "http://host/bucket/key addressing (MinIO, Ceph RGW).")
        boolean pathStyle;

        @Option(names = "--access-key", paramLabel = "KEY",
                description = "Static credentials with --secret-key-file; neither: the AWS default chain (AWS_* variables, profiles, roles).")
        String accessKey;

        @Option(names = "--secret-key-file", paramLabel = "FILE", description = "A file whose first line is the secret key.")
        Path secretKeyFile;

        @Option(names = "--public-key", paramLabel = "[REPLICA=]PEM",
                description = "A public key (GET /admin/audit/public-key[?replica=]): REPLICA=PEM for one replica's "
                        + "chain, or PEM alone for every chain without its own. Repeatable. Without any, each chain's "
                        + "exported audit-ed25519.pub.pem is used, which proves less (see docs/audit.md).")
        List<String> publicKeys = new ArrayList<>();

        @Option(names = "--keys-dir", paramLabel = "DIR", description = "A directory of <replica>.pem public keys.")
        Path keysDir;

        @Option(names = "--allow-unsigned-tail",
                description = "Accept records after the newest checkpoint (a copy taken while the registry wrote).")
        boolean allowUnsignedTail;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if ((dir == null) == (bucket == null)) {
                spec.commandLine().getErr().println("registry audit verify: give either --dir or --s3-bucket");
                return 2;
            }
            ChainKeys keys;
            try {
                keys = VerifyKeys.parse(publicKeys, keysDir);
            } catch (IOException | IllegalArgumentException e) {
                spec.commandLine().getErr().println("registry audit verify: " + e.getMessage());
                return 2;
            }
            if (bucket != null) {
                return verifyBucket(keys);
            }
            try {
                ChainsReport report = new ChainsVerifier(keys, allowUnsignedTail).verify(new AuditChains(dir), null);
                return VerifyKeys.print(report, spec.commandLine().getOut());
            } catch (IOException e) {
                spec.commandLine().getErr().println("registry audit verify: cannot read " + dir + ": " + e.getMessage());
                return 2;
            }
        }

        /** Downloads every replica's shipped segments into a temporary directory, verifies them there, removes it. */
        private int verifyBucket(ChainKeys keys) {
            if ((accessKey == null) != (secretKeyFile == null)) {
                spec.commandLine().getErr().println("registry audit verify: --access-key and --secret-key-file go together");
                return 2;
            }
            String secret;
            try {
                secret = secretKeyFile == null ? null : Files.readAllLines(secretKeyFile).get(0).strip();
            } catch (IOException | IndexOutOfBoundsException e) {
                spec.commandLine().getErr().println("registry audit verify: cannot read " + secretKeyFile);
                return 2;
            }
            Path work = null;
            try (S3SegmentArchive archive = S3SegmentArchive.open(new S3Settings(bucket, "",
                    endpoint == null || endpoint.isBlank() ? null : URI.create(endpoint), region, pathStyle,
                    accessKey, secret, S3Settings.DEFAULT_PART_SIZE, false, null, null),
                    prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/")) {
                work = Files.createTempDirectory("stowage-audit-verify-");
                ArchiveDownload.Result fetched = ArchiveDownload.download(archive, work);
                spec.commandLine().getErr().println("fetched " + fetched.files() + " files from " + archive.describe()
                        + (fetched.ignored().isEmpty() ? "" : "; not audit files, left out: " + fetched.ignored()));
                // Shipped chains hold sealed segments only: each ends with its signed checkpoint.
                ChainsReport report = new ChainsVerifier(keys, allowUnsignedTail).verify(fetched.chains(), null);
                return VerifyKeys.print(report, spec.commandLine().getOut());
            } catch (IOException | RuntimeException e) {
                spec.commandLine().getErr().println("registry audit verify: " + e.getMessage());
                return 2;
            } finally {
                deleteQuietly(work);
            }
        }

        private static void deleteQuietly(Path work) {
            if (work == null) {
                return;
            }
            try (var paths = Files.walk(work)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory; the system cleans it eventually
            }
        }
    }

    /** Writes records of a time range as JSON lines or CSV. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write the records of a time range as JSON lines (as stored) or CSV, for a SIEM.")
    static final class Export implements Callable<Integer> {
        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The audit directory.")
        Path dir;

        @Option(names = "--since", paramLabel = "TIME", description = "First instant included, e.g. 2026-01-01T00:00:00Z.")
        String since;

        @Option(names = "--until", paramLabel = "TIME", description = "First instant excluded.")
        String until;

        @Option(names = "--repository", description = "Only records of this repository.")
        String repository;

        @Option(names = "--actor", description = "Only records of this actor.")
        String actor;

        @Option(names = "--action", description = "Only records of this action, e.g. manifest.put.")
        String action;

        @Option(names = "--replica", description = "Only the chain of this replica.")
        String replica;

        @Option(names = "--format", defaultValue = "jsonl", description = "jsonl (default) or csv.")
        String format;

        @Option(names = "--output", paramLabel = "FILE", description = "Write here instead of standard output.")
        Path output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            AuditExport.Format chosen;
            Instant from;
            Instant to;
            try {
                chosen = AuditExport.Format.valueOf(format.toUpperCase(java.util.Locale.ROOT));
                from = since == null ? null : Instant.parse(since);
                to = until == null ? null : Instant.parse(until);
            } catch (IllegalArgumentException | DateTimeParseException e) {
                spec.commandLine().getErr().println("registry audit export: " + e.getMessage()
                        + " (formats: jsonl, csv; times as 2026-01-01T00:00:00Z)");
                return 2;
            }
            Predicate<AuditRecord> filter = record -> matches(repository, record.entry().repository())
                    && matches(actor, record.entry().actor()) && matches(action, record.entry().action());
            try (OutputStream out = output == null ? new BufferedOutputStream(System.out) {
                @Override
                public void close() throws IOException {
                    flush();
                }
            } : new BufferedOutputStream(Files.newOutputStream(output))) {
                List<AuditChains.Chain> chains = new AuditChains(dir).list().stream()
                        .filter(chain -> replica == null || replica.equals(chain.replica())).toList();
                long count = AuditExport.export(chains, from, to, filter, chosen, out);
                spec.commandLine().getErr().println("exported " + count + " records");
                return 0;
            } catch (IOException | RuntimeException e) {
                spec.commandLine().getErr().println("registry audit export: " + e.getMessage());
                return 2;
            }
        }

        private static boolean matches(String wanted, String value) {
            return wanted == null || wanted.equals(value);
        }
    }
}
