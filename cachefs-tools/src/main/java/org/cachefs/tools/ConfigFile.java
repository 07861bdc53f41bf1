package org.cachefs.tools;

import java.io.IOException;
import java.nio.file.Path;

import org.cachefs.config.CacheFsConfig;
import org.cachefs.config.CacheFsConfigException;

/**
 * The {@code --config FILE} option of the tools: reads a {@code cachefs.conf} file ({@link CacheFsConfig}) and finds
 * the image a command works on when the command line names none, the first entry of {@code dirs} (the
 * {@code cachefs.img} inside it when it is a directory). A file that cannot be read or used is a
 * {@link UsageException}: one line naming the file and line, nothing done.
 * <p>
 * Threading: stateless; called on the command's thread.
 */
final class ConfigFile
{
    /** The option's name. */
    static final String OPTION = "--config";
    /** The option's description, for every command that takes it. */
    static final String DESCRIPTION = "A cachefs.conf file (see the README's \"Configuration file\"); ";

    private ConfigFile()
    {
    }

    /**
     * @param file the file named by {@code --config}, or null.
     * @return its settings, or null when {@code file} is null.
     * @throws UsageException if the file cannot be read or holds a setting that cannot be used.
     */
    static CacheFsConfig read(final Path file)
    {
        if (null == file)
        {
            return null;
        }
        try
        {
            return CacheFsConfig.parse(file);
        }
        catch (final CacheFsConfigException ex)
        {
            throw new UsageException(ex.getMessage(), ex);
        }
        catch (final IOException ex)
        {
            throw new UsageException(OPTION + " " + ToolRunner.describe(ex), ex);
        }
    }

    /**
     * @param given      the image the command line names, or null.
     * @param config     the settings of {@code --config}, or null.
     * @param paramLabel the label of the command's image operand, for the message when there is none.
     * @return {@code given}, else the first image of {@code config}.
     * @throws UsageException if neither names an image.
     */
    static Path image(final Path given, final CacheFsConfig config, final String paramLabel)
    {
        if (null != given)
        {
            return given;
        }
        if (null == config)
        {
            throw new UsageException("missing required parameter: '" + paramLabel + "'");
        }
        try
        {
            return config.requireImages().get(0).imagePath();
        }
        catch (final CacheFsConfigException ex)
        {
            throw new UsageException(ex.getMessage(), ex);
        }
    }
}
