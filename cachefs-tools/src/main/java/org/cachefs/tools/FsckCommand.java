package org.cachefs.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.cachefs.format.CacheFsException;
import org.cachefs.format.DeviceInUseException;
import org.cachefs.format.Fsck;
import org.cachefs.format.FsckOptions;
import org.cachefs.format.FsckResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code fsck.cachefs}: checks a cache device or image and repairs it, through {@link FsckDriver} and the library's
 * {@link Fsck}. Also the {@code cachefs fsck} subcommand.
 * <p>
 * This class turns the command line into {@link FsckOptions} (e2fsck's flags: {@code -n}, {@code -p} or {@code -a},
 * {@code -y}, {@code -f} to check an image marked clean; {@code --check-pages} for the data pages' CRC32C), finds a
 * live mount first ({@link LiveMount}: named on the first line of a read-only check, a refusal of any repair) and turns
 * the outcome into e2fsck's exit codes: {@link FsckResult#exitCode()} (0 clean, 1 errors corrected, 4 errors left
 * uncorrected) when the check ran, 8 when it could not (a repair beside a live mount, not formatted, another
 * filesystem or format version, an I/O error), 16 for a command line it cannot act on, 32 when a signal (SIGINT,
 * SIGTERM) cancels a check in {@link #main}. 2 ("reboot") is never returned: nothing keeps a repaired cache's old state
 * in memory. It finds its own usage errors (unknown options, a missing or extra operand, more than one of {@code -n},
 * {@code -p} and {@code -y}) so that they exit 16 under both names.
 */
@Command(
    name = "fsck.cachefs",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpWidth = 100,
    descriptionHeading = "%n",
    parameterListHeading = "%nArguments:%n",
    optionListHeading = "%nOptions:%n",
    description = {
        "Checks a cachefs block device or image file: both superblock slots and the backup, the commit record, the " +
            "index tree, every object record and page map, the bitmap against the trees; with --check-pages every " +
            "data page's CRC32C. An image marked clean by its last unmount gets a quick answer from its superblock " +
            "slots unless -f is given.",
        "It never asks questions: without -p or -y it opens the device read-only and changes nothing, as with -n. " +
            "A repair drops the objects and pages it cannot trust (a cache never invents data), fixes the counters " +
            "and the bitmap, and writes the result as a new commit, crash-safe like the cache's own.",
        "Beside a mounted cache it says so on its first line, checks the last commit read-only (a check during " +
            "which a new commit lands is run again), and refuses to repair." },
    footerHeading = "%n",
    footer = {
        "Exit status (as e2fsck):",
        "   0  no errors",
        "   1  errors corrected",
        "   2  not used (a repaired cache needs no reboot)",
        "   4  errors left uncorrected",
        "   8  operational error (a repair asked for beside a mounted cache, not formatted, I/O error)",
        "  16  usage or syntax error",
        "  32  cancelled by user request (SIGINT or SIGTERM during the check)" })
public final class FsckCommand implements Callable<Integer>
{
    /**
     * The program name used in messages when run as {@code fsck.cachefs}.
     */
    public static final String NAME = "fsck.cachefs";

    /**
     * Exit status of a check cancelled by a signal, as e2fsck's 32.
     */
    public static final int EXIT_CANCELLED = 32;

    /**
     * Set while a check runs in this JVM: a shutdown then comes from a signal, and the shutdown hook that
     * {@link #exitOnCancel(String)} installs ends the JVM with {@link #EXIT_CANCELLED}.
     */
    private static volatile boolean checking;

    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    @Option(names = "-n", description = "Check only: open read-only and change nothing (the default).")
    private boolean noChanges;

    @Option(names = { "-p", "-a" }, description = "Preen: repair without asking only what drops no cached data " +
        "(damaged superblock slots, counters, the bitmap); report the rest and change nothing.")
    private boolean preen;

    @Option(names = "-y", description = "Repair everything repairable without asking, dropping objects and pages " +
        "that cannot be trusted.")
    private boolean yes;

    @Option(names = { "-f", "--force" }, description = "Force a full check of an image marked clean (without it, " +
        "such an image gets a quick answer from its two superblock slots).")
    private boolean force;

    @Option(names = "--check-pages", description = "Also read every data page and check its CRC32C (implies -f).")
    private boolean checkPages;

    @Option(names = { "-v", "--verbose" }, description = "Print each finding.")
    private boolean verbose;

    @Option(names = ConfigFile.OPTION, paramLabel = "FILE", description = ConfigFile.DESCRIPTION +
        "without DEVICE|IMAGE, the image is the first entry of its dirs.")
    private Path config;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DEVICE|IMAGE",
        description = "The block device or image file to check (required without --config).")
    private Path target;

    @Unmatched
    private List<String> unmatched = new ArrayList<>();

    private Integer result;

    /**
     * @param out where findings and the summary go.
     */
    public FsckCommand(final PrintStream out)
    {
        this.out = out;
    }

    /**
     * @param out where help, version, findings and the summary go.
     * @return the command line of {@code fsck.cachefs}.
     */
    public static CommandLine commandLine(final PrintStream out)
    {
        final CommandLine commandLine = new CommandLine(new FsckCommand(out));
        commandLine.setOverwrittenOptionsAllowed(true);
        return commandLine;
    }

    /**
     * Runs {@code fsck.cachefs} with {@code args}.
     *
     * @param out  where the tool's output goes.
     * @param err  where its error messages go.
     * @param args the command line, without the program name.
     * @return the exit code: 0, 1 or 4 as the check found, {@link FsckResult#EXIT_OPERATIONAL} or
     * {@link FsckResult#EXIT_USAGE}.
     */
    public static int run(final PrintStream out, final PrintStream err, final String... args)
    {
        final CommandLine commandLine = commandLine(out);
        final int code = ToolRunner.execute(commandLine, NAME, out, err, args);
        final FsckCommand command = commandLine.getCommand();
        if (command.result != null)
        {
            return command.result;
        }
        // not run: help or version (0), an operational error (8), or a command line picocli could not parse
        return code == ExitCodes.USAGE ? FsckResult.EXIT_USAGE : code;
    }

    /**
     * Runs the tool with the process's standard streams and exits with its exit code.
     *
     * @param args the command line, without the program name.
     */
    public static void main(final String[] args)
    {
        exitOnCancel(NAME);
        System.exit(run(System.out, System.err, args));
    }

    /**
     * Makes a signal that ends the JVM during a check (SIGINT, SIGTERM) print "{@code program}: cancelled" and exit
     * with {@link #EXIT_CANCELLED}. For the {@code main} of a process: a repair cut short leaves the old commit or the
     * new one, as a power cut would.
     */
    static void exitOnCancel(final String program)
    {
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            if (checking)
            {
                System.err.println(program + ": cancelled");
                System.err.flush();
                Runtime.getRuntime().halt(EXIT_CANCELLED);
            }
        }, "fsck-cancel"));
    }

    @Override
    public Integer call() throws IOException
    {
        final String usage = usageError();
        if (usage != null)
        {
            return usage(usage);
        }
        final Path target;
        try
        {
            target = ConfigFile.image(this.target, ConfigFile.read(config), "DEVICE|IMAGE");
        }
        catch (final UsageException ex)
        {
            return usage(ex.getMessage());
        }
        final FsckOptions.Mode mode = yes ? FsckOptions.Mode.YES : preen ? FsckOptions.Mode.PREEN :
            FsckOptions.Mode.NO_CHANGES;
        final FsckOptions options = new FsckOptions(mode, checkPages, verbose);
        final String name = target.getFileName() == null ? target.toString() : target.getFileName().toString();
        final FsckResult checked;
        checking = true;
        try
        {
            final LiveMount live = LiveMount.probe(target);
            if (live != null && options.mayWrite())
            {
                throw new CacheFsException(name, name + " is mounted: " + live.describe() + ": unmount it first, " +
                    "or check it read-only with -n");
            }
            if (live != null)
            {
                out.println(name + ": mounted: " + live.describe() + "; checking its last commit read-only, the " +
                    "answer may already be stale");
            }
            checked = FsckDriver.check(target, options, force || checkPages || live != null, out,
                ProgressBar.onTerminal(System.err, false));
        }
        catch (final DeviceInUseException ex)
        {
            throw new CacheFsException(ex.device(), ex.getMessage() + ": unmount it first, or check it read-only " +
                "with -n", ex);
        }
        catch (final IOException ex)
        {
            throw ToolRunner.naming(name, ex);
        }
        finally
        {
            checking = false;
            out.flush();
        }
        result = checked.exitCode();
        return result;
    }

    private int usage(final String message)
    {
        final PrintWriter err = spec.commandLine().getErr();
        err.println(spec.root().name() + ": " + message);
        err.println("Try '" + spec.qualifiedName() + " --help' for more information.");
        err.flush();
        result = FsckResult.EXIT_USAGE;
        return result;
    }

    /**
     * @return what is wrong with the command line, or null.
     */
    private String usageError()
    {
        if (!unmatched.isEmpty())
        {
            final String first = unmatched.get(0);
            return first.startsWith("-") && first.length() > 1 ? "unknown option: '" + first + "'" :
                "extra operand '" + first + "'";
        }
        if ((noChanges ? 1 : 0) + (preen ? 1 : 0) + (yes ? 1 : 0) > 1)
        {
            return "only one of the options -n, -p (or -a) and -y may be given";
        }
        if (target == null && config == null)
        {
            return "missing required parameter: 'DEVICE|IMAGE'";
        }
        return null;
    }
}
