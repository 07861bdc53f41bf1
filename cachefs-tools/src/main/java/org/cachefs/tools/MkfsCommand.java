package org.cachefs.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.cachefs.config.CacheFsConfig;
import org.cachefs.format.FormatVersion;
import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.Sizes;
import org.cachefs.format.device.DirectBlockDevice;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mkfs.cachefs}: formats a block device or image file as an empty cache, through
 * {@link Mkfs#format(Path, MkfsOptions, PrintStream)}. Also the {@code cachefs mkfs} subcommand.
 * <p>
 * This class only turns the command line into {@link MkfsOptions}, sorts out the mistakes that are the command line's
 * (exit 1: an invalid option value, an unknown {@code -E} option, {@code -K} with {@code -E discard}, a missing image
 * without {@code -s} or a {@code size} in the {@code --config} file, {@code -s} on a block device, a block size the
 * device cannot take, a {@code --config} file that cannot be read or used) before anything is written, and leaves the
 * rest to the library (exit 8: a filesystem or cache already there, a device in use, too small, shrinking, I/O
 * errors). An image file it created is removed again if formatting fails.
 */
@Command(
    name = "mkfs.cachefs",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    separator = " ",
    sortOptions = false,
    usageHelpWidth = 100,
    descriptionHeading = "%n",
    parameterListHeading = "%nArguments:%n",
    optionListHeading = "%nOptions:%n",
    description = "Formats a block device or image file as an empty cachefs cache.",
    footerHeading = "%n",
    footer = {
        "Without -f, a device or image that holds a cachefs cache or another recognised filesystem is left alone.",
        "The blocks mkfs does not write are discarded unless -E nodiscard or -K is given: they read back as zeros, " +
            "not as what the device held before.",
        "Exit status: 0 formatted, 1 usage error (nothing written), 8 operational error." })
public final class MkfsCommand implements Callable<Integer>
{
    /**
     * The program name used in messages when run as {@code mkfs.cachefs}.
     */
    public static final String NAME = "mkfs.cachefs";

    private final PrintStream out;

    @Option(
        names = { "-b", "--block-size" },
        paramLabel = "BLOCKSIZE",
        description = "Block size in bytes: a power of two from 4096 (the default) to 65536, a number or a size " +
            "with a K suffix (4096, 4k, 64K).")
    private String blockSize;

    @Option(
        names = { "-L", "--label" },
        paramLabel = "LABEL",
        description = "Label (tag) of the cache, at most 32 bytes of UTF-8.")
    private String label = "";

    @Option(
        names = { "-s", "--size" },
        paramLabel = "SIZE",
        description = "Size of the image file, in bytes or with a K, M, G or T suffix (512M, 10G): creates the file " +
            "or grows it. Not for block devices: their size is the device's.")
    private String size;

    @Option(
        names = { "-f", "--force" },
        description = "Overwrite an existing cachefs cache or another filesystem.")
    private boolean force;

    @Option(
        names = { "-E", "--extended-options" },
        paramLabel = "OPTIONS",
        description = "Extended options, comma separated, as mkfs.ext4's; the last one given wins. 'discard' (the " +
            "default): make every block mkfs does not write read back as zeros (holes punched in an image file, " +
            "BLKZEROOUT on a block device, else zeros written). 'nodiscard': leave the old contents there.")
    private List<String> extendedOptions = new ArrayList<>();

    @Option(
        names = { "-K", "--keep" },
        description = "Keep the old contents of the blocks mkfs does not write: the same as -E nodiscard.")
    private boolean keep;

    @Option(
        names = { "-q", "--quiet" },
        description = "Print nothing but errors.")
    private boolean quiet;

    @Option(
        names = ConfigFile.OPTION,
        paramLabel = "FILE",
        description = ConfigFile.DESCRIPTION + "without DEVICE|IMAGE, the image is the first entry of its dirs; " +
            "without -s, a missing image file is created at its size.")
    private Path config;

    @Parameters(
        index = "0",
        arity = "0..1",
        paramLabel = "DEVICE|IMAGE",
        description = "The block device or image file to format (required without --config).")
    private Path target;

    /**
     * @param out where the summary goes (unless {@code -q}).
     */
    public MkfsCommand(final PrintStream out)
    {
        this.out = out;
    }

    /**
     * @param out where help, version and the summary go.
     * @return the command line of {@code mkfs.cachefs}.
     */
    public static CommandLine commandLine(final PrintStream out)
    {
        return new CommandLine(new MkfsCommand(out));
    }

    /**
     * Runs {@code mkfs.cachefs} with {@code args}.
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
        System.exit(run(System.out, System.err, args));
    }

    @Override
    public Integer call() throws IOException
    {
        final CacheFsConfig settings = ConfigFile.read(config);
        target = ConfigFile.image(target, settings, "DEVICE|IMAGE");
        final MkfsOptions options = options(settings);
        final boolean existed = Files.exists(target);
        final boolean anythingThere = existed || Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        checkTarget(options, existed);
        try
        {
            Mkfs.format(target, options, quiet ? null : out, ProgressBar.onTerminal(System.err, quiet));
        }
        catch (final IOException ex)
        {
            if (!anythingThere)
            {
                removeCreated(ex);
            }
            throw ToolRunner.naming(name(), ex);
        }
        catch (final RuntimeException ex)
        {
            if (!anythingThere)
            {
                removeCreated(ex);
            }
            throw ex;
        }
        return ExitCodes.OK;
    }

    /**
     * @param settings the {@code --config} file's settings, or null: its {@code size} creates a missing image when
     *                 {@code -s} is not given.
     */
    private MkfsOptions options(final CacheFsConfig settings)
    {
        final int bytesPerBlock = parseBlockSize();
        final long bytes;
        try
        {
            if (size != null)
            {
                bytes = Sizes.parse(size);
            }
            else if (settings != null && settings.size() > 0 && !Files.exists(target))
            {
                bytes = settings.size();
            }
            else
            {
                bytes = -1;
            }
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UsageException(ex.getMessage(), ex);
        }
        try
        {
            return MkfsOptions.defaults().withBlockSize(bytesPerBlock).withLabel(label).withSize(bytes)
                .withForce(force).withDiscard(parseDiscard());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UsageException(ex.getMessage(), ex);
        }
    }

    /**
     * @return whether to discard, from {@code -E} (each comma-separated option in turn, the last one winning, as
     * mke2fs reads them) and {@code -K}.
     */
    private boolean parseDiscard()
    {
        Boolean discard = null;
        for (final String given : extendedOptions)
        {
            for (final String option : given.split(",", -1))
            {
                switch (option)
                {
                    case "discard":
                        discard = Boolean.TRUE;
                        break;
                    case "nodiscard":
                        discard = Boolean.FALSE;
                        break;
                    default:
                        throw new UsageException("invalid extended option '" + option +
                            "': expected discard or nodiscard");
                }
            }
        }
        if (keep && Boolean.TRUE.equals(discard))
        {
            throw new UsageException("-K keeps the old contents and -E discard discards them: give one of them");
        }
        return discard == null ? !keep : discard;
    }

    private int parseBlockSize()
    {
        if (blockSize == null)
        {
            return FormatVersion.DEFAULT_BLOCK_SIZE;
        }
        final long bytes;
        try
        {
            bytes = Sizes.parse(blockSize);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UsageException("invalid block size '" + blockSize + "': expected a number of bytes, " +
                "optionally with a K suffix (4096, 4k, 64K)", ex);
        }
        if (bytes > Integer.MAX_VALUE)
        {
            throw new UsageException("invalid block size '" + blockSize + "': must be a power of two from " +
                FormatVersion.MIN_BLOCK_SIZE + " to " + FormatVersion.MAX_BLOCK_SIZE);
        }
        return (int)bytes;
    }

    /**
     * Finds, before anything is created or written, the mistakes that are the command line's, and a requested size
     * too small for an image.
     */
    private void checkTarget(final MkfsOptions options, final boolean existed) throws IOException
    {
        final String name = name();
        final int sectorSize;
        if (!existed)
        {
            if (options.size() < 0)
            {
                throw new UsageException(name + " does not exist: give a size (-s SIZE) to create it");
            }
            sectorSize = (int)Files.getFileStore(target.toAbsolutePath().getParent()).getBlockSize();
            checkBlockSize(options.blockSize(), sectorSize);
            RegionLayout.of(options.blockSize(), options.size() / options.blockSize());
            return;
        }
        if (DirectBlockDevice.isBlockDevice(target))
        {
            if (options.size() >= 0)
            {
                throw new UsageException(name + " is a block device: its size is the device's, -s cannot be used");
            }
            try (DirectBlockDevice device = DirectBlockDevice.openReadOnly(target))
            {
                sectorSize = device.logicalSectorSize();
            }
            checkBlockSize(options.blockSize(), sectorSize);
            return;
        }
        if (Files.isRegularFile(target))
        {
            checkBlockSize(options.blockSize(), (int)Files.getFileStore(target).getBlockSize());
            if (options.size() > Files.size(target))
            {
                RegionLayout.of(options.blockSize(), options.size() / options.blockSize());
            }
        }
    }

    /**
     * @return the target's file name, as the library names it in messages.
     */
    private String name()
    {
        return target.getFileName() == null ? target.toString() : target.getFileName().toString();
    }

    private static void checkBlockSize(final int blockSize, final int sectorSize)
    {
        try
        {
            FormatVersion.checkBlockSize(blockSize, sectorSize);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UsageException(ex.getMessage(), ex);
        }
    }

    private void removeCreated(final Exception failure)
    {
        try
        {
            Files.deleteIfExists(target);
        }
        catch (final IOException ex)
        {
            failure.addSuppressed(ex);
        }
    }
}
