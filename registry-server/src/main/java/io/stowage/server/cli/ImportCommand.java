package io.stowage.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code registry import --from DIR [--repository R] [--wait]}: loads an OCI layout that is on the
 * server's disk (a backup, or {@code skopeo copy ... oci:DIR:tag}) through {@code POST /admin/imports}.
 * A relative DIR is made absolute here, which is right when the command runs on the server's host.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import every image of an OCI layout on the server's disk, verifying every digest.")
final class ImportCommand implements Callable<Integer> {
    @CommandLine.Mixin
    AdminConnection admin;

    @Option(names = "--from", required = true, paramLabel = "DIR", description = "The OCI layout directory (on the server).")
    Path from;

    @Option(names = "--repository", paramLabel = "R",
            description = "Put every image into this repository (needed for a layout of plain tags).")
    String repository;

    @Option(names = "--wait", description = "Wait for the import to finish and print its report.")
    boolean await;

    @Option(names = "--timeout", defaultValue = "PT6H", description = "How long --wait waits (ISO 8601, default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("from", from.toAbsolutePath().normalize().toString());
        if (repository != null) {
            body.put("repository", repository);
        }
        AdminConnection.Answer started = admin.fetch("POST", "/admin/imports", body);
        if (started == null || !started.ok() || !await) {
            return admin.print(started);
        }
        return admin.awaitRun("/admin/imports/" + started.json().path("id").asText(), timeout);
    }
}
