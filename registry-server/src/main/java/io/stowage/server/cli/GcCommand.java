package io.stowage.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code registry gc status|pause|resume|run}: the garbage collector's admin API from a shell,
 * against a running server ({@link AdminConnection}: --server, --user, the JSON answer, exit codes).
 */
@Command(name = "gc", mixinStandardHelpOptions = true, description = "Control the garbage collector of a running registry.",
        subcommands = {GcCommand.Status.class, GcCommand.Pause.class, GcCommand.Resume.class, GcCommand.Run.class})
final class GcCommand implements Runnable {
    @CommandLine.Mixin
    AdminConnection admin;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "status", description = "Show the state, the pause, the current and the last run.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        GcCommand gc;

        @Override
        public Integer call() {
            return gc.admin.print(gc.admin.fetch("GET", "/admin/gc", null));
        }
    }

    @Command(name = "pause", description = "Pause durably; returns once no deletion is in progress.")
    static final class Pause implements Callable<Integer> {
        @ParentCommand
        GcCommand gc;

        @Option(names = "--reason", description = "Why, for the record.")
        String reason;

        @Override
        public Integer call() {
            return gc.admin.print(gc.admin.fetch("POST", "/admin/gc/pause", reason == null ? null : Map.of("reason", reason)));
        }
    }

    @Command(name = "resume", description = "Resume collection.")
    static final class Resume implements Callable<Integer> {
        @ParentCommand
        GcCommand gc;

        @Override
        public Integer call() {
            return gc.admin.print(gc.admin.fetch("POST", "/admin/gc/resume", null));
        }
    }

    @Command(name = "run", description = "Start a collection (refused while paused, except --dry-run).")
    static final class Run implements Callable<Integer> {
        @ParentCommand
        GcCommand gc;

        @Option(names = "--dry-run", description = "List what would be deleted; delete nothing.")
        boolean dryRun;

        @Option(names = "--wait", description = "Wait for the run to finish, then print its report with every deleted digest.")
        boolean await;

        @Option(names = "--timeout", defaultValue = "PT1H", description = "How long --wait waits (ISO 8601, default ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() throws IOException, InterruptedException {
            AdminConnection.Answer started = gc.admin.fetch("POST", "/admin/gc/runs", dryRun ? Map.of("dryRun", true) : null);
            if (started == null || !started.ok() || !await) {
                return gc.admin.print(started);
            }
            return gc.admin.awaitRun("/admin/gc/runs/" + started.json().path("id").asText(), timeout);
        }
    }
}
