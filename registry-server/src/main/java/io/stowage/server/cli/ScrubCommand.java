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
 * {@code registry scrub [--dry-run] [--repair-from DIR|URL] [--wait]}: starts an integrity scrub of
 * a running registry through {@code POST /admin/scrub}, and with {@code --wait} prints its report once
 * it is done ({@link AdminConnection}: --server, --user, exit codes). {@code registry scrub status}
 * shows the state and the last run. Exit 0 when the run completed and nothing is left damaged, 1 when
 * it failed or found damage it could not repair (the report says what), 2 when the server cannot be
 * reached. A relative DIR is made absolute here, which is right when the command runs on the
 * server's host.
 */
@Command(name = "scrub", mixinStandardHelpOptions = true,
        description = "Re-hash every blob and check every manifest of a running registry; quarantine and repair what is corrupt.",
        subcommands = {ScrubCommand.Status.class})
final class ScrubCommand implements Callable<Integer> {
    @CommandLine.Mixin
    AdminConnection admin;

    @Option(names = "--dry-run", description = "Find and report only: quarantine and repair nothing.")
    boolean dryRun;

    @Option(names = "--repair-from", paramLabel = "DIR|URL",
            description = "Re-import what is corrupt or missing from this OCI layout (on the server) or registry URL"
                    + " (default: scrub.repairFrom of the server).")
    String repairFrom;

    @Option(names = "--max-bytes-per-second", paramLabel = "N",
            description = "Read blobs at most this fast (0: no limit; default: scrub.maxBytesPerSecond of the server).")
    Long maxBytesPerSecond;

    @Option(names = "--wait", description = "Wait for the run to finish and print its report.")
    boolean await;

    @Option(names = "--timeout", defaultValue = "PT24H", description = "How long --wait waits (ISO 8601, default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        if (dryRun) {
            body.put("dryRun", true);
        }
        if (repairFrom != null) {
            boolean url = repairFrom.startsWith("http://") || repairFrom.startsWith("https://");
            body.put("repairFrom", url ? repairFrom : Path.of(repairFrom).toAbsolutePath().normalize().toString());
        }
        if (maxBytesPerSecond != null) {
            body.put("maxBytesPerSecond", maxBytesPerSecond);
        }
        AdminConnection.Answer started = admin.fetch("POST", "/admin/scrub", body.isEmpty() ? null : body);
        if (started == null || !started.ok() || !await) {
            return admin.print(started);
        }
        String runPath = "/admin/scrub/runs/" + started.json().path("id").asText();
        int code = admin.awaitRun(runPath, timeout);
        if (code != 0) {
            return code;
        }
        AdminConnection.Answer report = admin.fetch("GET", runPath, null);
        if (report == null || !report.ok()) {
            return 1;
        }
        int unrepaired = 0;
        for (var affected : report.json().path("affected")) {
            if (!affected.path("repaired").asBoolean()) {
                unrepaired++;
            }
        }
        if (unrepaired > 0) {
            admin.err().println("registry scrub: " + unrepaired + " tag(s) lack content that was not repaired;"
                    + " see \"affected\" and docs/recovery.md, \"Scrub findings\"");
            return 1;
        }
        return 0;
    }

    @Command(name = "status", description = "Show the state, the schedule, the current and the last run.")
    static final class Status implements Callable<Integer> {
        @CommandLine.ParentCommand
        ScrubCommand scrub;

        @Override
        public Integer call() {
            return scrub.admin.print(scrub.admin.fetch("GET", "/admin/scrub", null));
        }
    }
}
