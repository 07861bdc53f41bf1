package org.cachefs.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import org.cachefs.format.FormatVersion;
import picocli.CommandLine;

/**
 * The {@code -V}/{@code --version} text of every tool: the command's name and the software version, then the on-disk
 * format version it writes, e.g.
 * <pre>
 * mkfs.cachefs 0.1.0
 * on-disk format 1.0
 * </pre>
 */
public final class VersionProvider implements CommandLine.IVersionProvider
{
    private static final String RESOURCE = "version.properties";

    /**
     * The provider picocli creates for a command's {@code versionProvider}.
     */
    public VersionProvider()
    {
    }

    /**
     * @return the software version recorded at build time, e.g. "0.1.0".
     */
    public static String softwareVersion()
    {
        final Properties properties = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE))
        {
            if (in == null)
            {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the tools jar");
            }
            properties.load(in);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read resource " + RESOURCE, ex);
        }
        return properties.getProperty("version");
    }

    /**
     * @return the on-disk format version this software writes, e.g. "1.0".
     */
    public static String formatVersion()
    {
        return FormatVersion.MAJOR + "." + FormatVersion.MINOR;
    }

    @Override
    public String[] getVersion()
    {
        return new String[]{ "${COMMAND-FULL-NAME} " + softwareVersion(), "on-disk format " + formatVersion() };
    }
}
