package org.cachefs.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cachefs stat}: prints the current superblock, layout and commit record of an image ({@link ImageStat}),
 * read-only, so it may run beside a mounted cache.
 */
@Command(
    name = "stat",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpWidth = 100,
    descriptionHeading = "%n",
    parameterListHeading = "%nArguments:%n",
    optionListHeading = "%nOptions:%n",
    description = "Prints the superblock, region layout and commit record of a cachefs device or image. Opens it " +
        "read-only: safe beside a mounted cache.",
    footerHeading = "%n",
    footer = "Exit status: 0 printed, 1 usage error, 8 not formatted, corrupt, another filesystem, or I/O error.")
public final class StatCommand implements Callable<Integer>
{
    private final PrintStream out;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    private boolean json;

    @Option(names = ConfigFile.OPTION, paramLabel = "FILE", description = ConfigFile.DESCRIPTION +
        "without DEVICE|IMAGE, the image is the first entry of its dirs.")
    private Path config;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DEVICE|IMAGE",
        description = "The block device or image file (required without --config).")
    private Path target;

    /**
     * @param out where the report goes.
     */
    public StatCommand(final PrintStream out)
    {
        this.out = out;
    }

    @Override
    public Integer call() throws IOException
    {
        final Path image = ConfigFile.image(target, ConfigFile.read(config), "DEVICE|IMAGE");
        final ImageStat stat;
        try
        {
            stat = ImageStat.read(image);
        }
        catch (final IOException ex)
        {
            throw ToolRunner.naming(image.getFileName() == null ? image.toString() : image.getFileName().toString(),
                ex);
        }
        if (json)
        {
            out.print(stat.toJson());
            out.flush();
        }
        else
        {
            stat.printText(out);
        }
        return ExitCodes.OK;
    }
}
