package io.stowage.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code registry} command line: {@code serve} and, as later issues add them, the offline
 * tools ({@code gc}, {@code audit verify}, {@code backup}, {@code import}, {@code recover}).
 */
@Command(name = "registry", mixinStandardHelpOptions = true, version = "stowage registry 0.1.0",
        description = "A self-hosted OCI registry that never loses an image.",
        subcommands = {ServeCommand.class, GcCommand.class, BackupCommand.class, AuditCommand.class, PasswdCommand.class,
                DevCertCommand.class, WarmupCommand.class, CommandLine.HelpCommand.class})
public final class RegistryCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new RegistryCommand()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
