package org.cachefs.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.cachefs.cachefs.MountOptions;
import org.cachefs.config.CacheFsConfig;
import org.cachefs.format.Sizes;
import org.cachefs.tools.demo.Demo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cachefs demo}: the end-to-end demonstration ({@link Demo}): an HTTP origin on loopback, a netfs that caches
 * its files' pages in a cachefs image, a cold pass, a warm pass and a pass after a file changed at the origin.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpWidth = 100,
    descriptionHeading = "%n",
    optionListHeading = "%nOptions:%n",
    description = "Formats a cache image, mounts it, reads files from an HTTP origin on loopback through the cache " +
        "cold, then warm, then after one file changed at the origin, checks every byte, and reports.",
    footerHeading = "%n",
    footer = "Exit status: 0 success, 1 usage error, 8 operational error or a byte that differed from the origin.")
public final class DemoCommand implements Callable<Integer>
{
    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    @Option(names = "--image", paramLabel = "PATH", description = "Image file or block device (default: " +
        "${DEFAULT-VALUE}). A new file is created; an existing cachefs image is formatted afresh.",
        defaultValue = "target/cachefs-demo.img")
    private Path image;

    @Option(names = "--size", paramLabel = "SIZE", description = "Size of a new image file (default: " +
        "${DEFAULT-VALUE}).", defaultValue = "256M")
    private String size;

    @Option(names = "--reuse", description = "Keep the cache already on the image (its pages are warm).")
    private boolean reuse;

    @Option(names = {"-f", "--force"}, description = "Format the target even if it holds something else.")
    private boolean force;

    @Option(names = "--files", paramLabel = "N", description = "Files at the origin (default: ${DEFAULT-VALUE}).",
        defaultValue = "16")
    private int files;

    @Option(names = "--file-size", paramLabel = "SIZE", description = "Bytes per file (default: ${DEFAULT-VALUE}).",
        defaultValue = "4M")
    private String fileSize;

    @Option(names = "--latency", paramLabel = "MS", description = "Milliseconds the origin adds to each request " +
        "(default: ${DEFAULT-VALUE}).", defaultValue = "20")
    private long latency;

    @Option(names = "--threads", paramLabel = "N", description = "Files read at once (default: ${DEFAULT-VALUE}).",
        defaultValue = "4")
    private int threads;

    @Option(names = ConfigFile.OPTION, paramLabel = "FILE", description = ConfigFile.DESCRIPTION +
        "the image is the first entry of its dirs, and a new image file is made at its size, unless --image or " +
        "--size is given; its mount options (culling, RAM tier, write-behind, commits) apply. Its read-through and " +
        "Hadoop settings are checked but not used by the demo.")
    private Path config;

    /**
     * @param out where the report goes.
     */
    public DemoCommand(final PrintStream out)
    {
        this.out = out;
    }

    @Override
    public Integer call() throws IOException
    {
        final CacheFsConfig settings = ConfigFile.read(config);
        final boolean imageGiven = spec.commandLine().getParseResult().hasMatchedOption("--image");
        final boolean sizeGiven = spec.commandLine().getParseResult().hasMatchedOption("--size");
        final Path target = settings == null || imageGiven ? image : ConfigFile.image(null, settings, "--image");
        final long imageBytes = settings != null && !sizeGiven && settings.size() > 0 ? settings.size() :
            parseSize("--size", size);
        final long fileBytes = parseSize("--file-size", fileSize);
        if (fileBytes > Integer.MAX_VALUE - 8)
        {
            throw new UsageException("invalid --file-size " + fileSize + ": at most 2 GiB");
        }
        check("--files", files, 1, 100_000);
        check("--threads", threads, 1, 256);
        if (latency < 0 || latency > 10_000)
        {
            throw new UsageException("invalid --latency " + latency + ": must be in [0, 10000]");
        }
        final Demo.Report report = Demo.run(new Demo.Options(target, imageBytes, reuse, force, files, (int)fileBytes,
            latency, threads, settings == null ? MountOptions.defaults() : settings.mountOptions()), out);
        out.flush();
        return report.mismatches() == 0 && report.fsck().exitCode() == 0 ? ExitCodes.OK : ExitCodes.OPERATIONAL;
    }

    private static long parseSize(final String option, final String text)
    {
        try
        {
            return Sizes.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UsageException(option + ": " + ex.getMessage());
        }
    }

    private static void check(final String option, final int value, final int min, final int max)
    {
        if (value < min || value > max)
        {
            throw new UsageException("invalid " + option + " " + value + ": must be in [" + min + ", " + max + "]");
        }
    }
}
