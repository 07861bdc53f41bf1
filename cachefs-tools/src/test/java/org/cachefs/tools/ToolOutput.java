package org.cachefs.tools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What one run of a tool's {@code run(out, err, args)} entry printed and returned.
 */
record ToolOutput(int exitCode, String out, String err)
{
    interface Entry
    {
        int run(PrintStream out, PrintStream err, String... args);
    }

    static ToolOutput mkfs(final String... args)
    {
        return run(MkfsCommand::run, args);
    }

    static ToolOutput cachefs(final String... args)
    {
        return run(CachefsCommand::run, args);
    }

    static ToolOutput run(final Entry entry, final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exitCode;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8))
        {
            exitCode = entry.run(outStream, errStream, args);
        }
        return new ToolOutput(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * @return the version the build recorded, which surefire and failsafe pass in as a system property.
     */
    static String expectedVersion()
    {
        final String version = System.getProperty("cachefs.version");
        if (version == null)
        {
            throw new IllegalStateException("system property cachefs.version is not set: run the tests with Maven");
        }
        return version;
    }
}
