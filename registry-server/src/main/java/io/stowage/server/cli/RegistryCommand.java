package io.stowage.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Arrays;

/**
 * The {@code registry} command line: {@code serve} and, as later issues add them, the offline
 * tools ({@code gc}, {@code audit verify}, {@code backup}, {@code import}, {@code recover}).
 */
@Command(name = "registry", mixinStandardHelpOptions = true, version = "stowage registry 0.1.0",
        description = "A self-hosted OCI registry that never loses an image.",
        subcommands = {ServeCommand.class, GcCommand.class, BackupCommand.class, AuditCommand.class, PasswdCommand.class,
                ImportCommand.class, RecoverCommand.class, ScrubCommand.class, DevCertCommand.class, WarmupCommand.class,
                CommandLine.HelpCommand.class})
public final class RegistryCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        SqliteNativeLibrary.useUnpacked();
        System.exit(execute(args));
    }

    /**
     * Runs the command {@code args} name. {@code registry serve ...} builds the serve command alone:
     * picocli reflects over every subcommand of a tree it is given, a tenth of the start-up's CPU.
     * Its messages still name it {@code registry serve}.
     */
    static int execute(String[] args) {
        if (args.length > 0 && "serve".equals(args[0])) {
            CommandLine serve = new CommandLine(new ServeCommand());
            serve.setCommandName("registry serve");
            return serve.execute(Arrays.copyOfRange(args, 1, args.length));
        }
        return new CommandLine(new RegistryCommand()).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
