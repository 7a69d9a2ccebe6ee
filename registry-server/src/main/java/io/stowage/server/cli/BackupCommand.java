package io.stowage.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code registry backup --to DIR [--wait] [--timeout]}: asks a running registry to back itself up
 * into an OCI image layout on its host ({@code POST /admin/backups}), and with {@code --wait}
 * prints the run's report when it ends (exit 0 only when it completed). The server, not this
 * command, writes the directory, so it names a path on the registry's host.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Back up a running registry into an OCI image layout (incremental: a second run copies only what is new).")
final class BackupCommand implements Callable<Integer> {
    @CommandLine.Mixin
    AdminConnection admin;

    @Option(names = "--to", required = true, paramLabel = "DIR",
            description = "The directory to write, an absolute path on the registry's host: new, empty, or an earlier backup"
                    + " of the same registry.")
    String to;

    @Option(names = "--wait", description = "Wait for the run to end, then print its report; exit 1 unless it completed.")
    boolean await;

    @Option(names = "--timeout", defaultValue = "PT6H", description = "How long --wait waits (ISO 8601, default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws IOException, InterruptedException {
        AdminConnection.Answer started = admin.fetch("POST", "/admin/backups", Map.of("to", to));
        if (started == null || !started.ok() || !await) {
            return admin.print(started);
        }
        return admin.awaitRun("/admin/backups/" + started.json().path("id").asText(), timeout);
    }
}
