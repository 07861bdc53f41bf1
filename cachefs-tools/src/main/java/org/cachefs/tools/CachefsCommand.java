package org.cachefs.tools;

import java.io.PrintStream;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code cachefs}: the command that gathers the cache's tools as subcommands ({@code cachefs stat},
 * {@code cachefs mkfs}, {@code cachefs help}). A new subcommand is a picocli command class plus one line in
 * {@link #commandLine(PrintStream)}.
 */
@Command(
    name = "cachefs",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    usageHelpWidth = 100,
    descriptionHeading = "%n",
    optionListHeading = "%nOptions:%n",
    synopsisSubcommandLabel = "COMMAND",
    description = "Inspects and manages cachefs caches.",
    commandListHeading = "%nCommands:%n",
    footerHeading = "%n",
    footer = "Exit status: 0 success, 1 usage error, 8 operational error. 'cachefs help COMMAND' describes a " +
        "command.")
public final class CachefsCommand implements Callable<Integer>
{
    /**
     * The program name used in messages.
     */
    public static final String NAME = "cachefs";

    @Spec
    private CommandSpec spec;

    /**
     * The command object picocli fills in; {@link #commandLine(PrintStream)} adds the subcommands.
     */
    public CachefsCommand()
    {
    }

    /**
     * @param out where help, version and the subcommands' output go.
     * @return the command line of {@code cachefs} with all its subcommands.
     */
    public static CommandLine commandLine(final PrintStream out)
    {
        final CommandLine commandLine = new CommandLine(new CachefsCommand());
        commandLine.addSubcommand("demo", new CommandLine(new DemoCommand(out)));
        commandLine.addSubcommand("stat", new CommandLine(new StatCommand(out)));
        commandLine.addSubcommand("ls", new CommandLine(new LsCommand(out)));
        commandLine.addSubcommand("mkfs", renamed(MkfsCommand.commandLine(out), "mkfs"));
        commandLine.addSubcommand("fsck", renamed(FsckCommand.commandLine(out), "fsck"));
        commandLine.addSubcommand("help", new CommandLine.HelpCommand());
        return commandLine;
    }

    /**
     * Runs {@code cachefs} with {@code args}.
     *
     * @param out  where the tool's output goes.
     * @param err  where its error messages go.
     * @param args the command line, without the program name.
     * @return the exit code: {@link ExitCodes#OK}, {@link ExitCodes#USAGE} or {@link ExitCodes#OPERATIONAL}.
     */
    public static int run(final PrintStream out, final PrintStream err, final String... args)
    {
        return ToolRunner.execute(commandLine(out), NAME, out, err, args);
    }

    /**
     * Runs the tool with the process's standard streams and exits with its exit code.
     *
     * @param args the command line, without the program name.
     */
    public static void main(final String[] args)
    {
        Logging.configure();
        FsckCommand.exitOnCancel(NAME);
        System.exit(run(System.out, System.err, args));
    }

    /**
     * Runs when no subcommand is given.
     */
    @Override
    public Integer call()
    {
        throw new UsageException("missing command: one of " + String.join(", ", spec.subcommands().keySet()));
    }

    private static CommandLine renamed(final CommandLine commandLine, final String name)
    {
        commandLine.getCommandSpec().name(name);
        return commandLine;
    }
}
