package io.stowage.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code registry recover reimport ...}: the verified re-import of one image into a running registry
 * ({@code POST /admin/recovery/reimport}), the command a {@code CONTENT_MISSING} answer names. The
 * source registry's password comes from a file or {@code REGISTRY_SOURCE_PASSWORD}, never from the
 * command line, where a process list would show it. Exit 0 when everything is present (and restored,
 * if asked), 1 on an error answer or an incomplete import, 2 when the server cannot be reached.
 */
@Command(name = "recover", mixinStandardHelpOptions = true, description = "Recover content into a running registry.",
        subcommands = {RecoverCommand.Reimport.class})
final class RecoverCommand implements Runnable {
    @CommandLine.Mixin
    AdminConnection admin;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "reimport", description = "Fetch exactly the missing manifests and blobs of one image from a backup"
            + " (OCI layout on the server) or another registry, verify every digest, check the digest against the"
            + " audit log's push record, and optionally restore the tag.")
    static final class Reimport implements Callable<Integer> {
        static final String PASSWORD_VARIABLE = "REGISTRY_SOURCE_PASSWORD";

        @CommandLine.ParentCommand
        RecoverCommand recover;

        @Option(names = "--repository", required = true, paramLabel = "R", description = "The repository to re-import into.")
        String repository;

        @Option(names = "--tag", paramLabel = "T", description = "The tag to restore (and to check the push record against).")
        String tag;

        @Option(names = "--digest", paramLabel = "D",
                description = "The manifest digest (default: the tag's last digest in the journal, else the source's).")
        String digest;

        @Option(names = "--from", required = true, paramLabel = "DIR|URL",
                description = "An OCI layout directory on the server, or http(s)://host[:port][/repository].")
        String from;

        @Option(names = "--source-repository", paramLabel = "NAME", description = "The repository's name in the source.")
        String sourceRepository;

        @Option(names = "--source-user", paramLabel = "U", description = "Sign in to the source registry as this user.")
        String sourceUser;

        @Option(names = "--source-password-file", paramLabel = "F",
                description = "The source password's file (first line); else " + PASSWORD_VARIABLE + ".")
        Path sourcePasswordFile;

        @Option(names = "--require-audited", description = "Refuse a digest that no audited push recorded.")
        boolean requireAudited;

        @Option(names = "--restore", description = "Put the tag (or the manifest's tags) back once all content is present.")
        boolean restore;

        @Option(names = "--timeout", defaultValue = "PT2H", description = "How long to wait for the answer (default ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() throws IOException {
            AdminConnection admin = recover.admin;
            if (tag == null && digest == null) {
                admin.err().println("registry recover reimport: give --tag, --digest or both");
                return 2;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("repository", repository);
            body.put("tag", tag);
            body.put("digest", digest);
            body.put("from", isUrl(from) ? from : Path.of(from).toAbsolutePath().normalize().toString());
            body.put("sourceRepository", sourceRepository);
            if (sourceUser != null) {
                String password = sourcePassword();
                if (password == null) {
                    admin.err().println("registry recover reimport: --source-user needs --source-password-file or "
                            + PASSWORD_VARIABLE);
                    return 2;
                }
                body.put("sourceUser", sourceUser);
                body.put("sourcePassword", password);
            }
            body.put("requireAudited", requireAudited);
            body.put("restore", restore);
            AdminConnection.Answer answer = admin.fetch("POST", "/admin/recovery/reimport", body, timeout);
            if (answer == null || !answer.ok()) {
                return admin.print(answer);
            }
            JsonNode report = answer.json();
            for (JsonNode warning : report.path("warnings")) {
                admin.err().println("WARNING: " + warning.asText());
            }
            admin.err().flush();
            admin.print(answer);
            return "complete".equals(report.path("outcome").asText()) ? 0 : 1;
        }

        private String sourcePassword() throws IOException {
            if (sourcePasswordFile != null) {
                String content = Files.readString(sourcePasswordFile, StandardCharsets.UTF_8);
                int end = content.indexOf('\n');
                return (end < 0 ? content : content.substring(0, end)).replace("\r", "");
            }
            return System.getenv(PASSWORD_VARIABLE);
        }

        private static boolean isUrl(String from) {
            return from.startsWith("http://") || from.startsWith("https://");
        }
    }
}
