package org.cachefs.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;

/**
 * What a program run in a child process did: its exit code and everything it wrote, for tests that run the tools as a
 * user would (a launcher, {@code java -jar}).
 * <p>
 * Threading: {@link #run} on the test thread.
 *
 * @param exitCode the process's exit code.
 * @param out      its standard output.
 * @param err      its standard error.
 */
record ProcessRun(int exitCode, String out, String err)
{
    /** How long a run may take before the test fails. */
    static final long TIMEOUT_SECONDS = 120;

    /**
     * Runs {@code command} in {@code cwd}, its output kept in files under {@code logs}, waiting at most
     * {@link #TIMEOUT_SECONDS}.
     *
     * @param logs    where the output files go.
     * @param cwd     the working directory.
     * @param env     variables to set in the child's environment; a null value removes the variable.
     * @param command the program and its arguments.
     * @return what it did.
     */
    static ProcessRun run(final Path logs, final Path cwd, final Map<String, String> env, final List<String> command)
        throws IOException
    {
        final Path out = Files.createTempFile(logs, "run-", ".out");
        final Path err = Files.createTempFile(logs, "run-", ".err");
        final ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile())
            .redirectOutput(out.toFile()).redirectError(err.toFile());
        for (final Map.Entry<String, String> entry : env.entrySet())
        {
            if (entry.getValue() == null)
            {
                builder.environment().remove(entry.getKey());
            }
            else
            {
                builder.environment().put(entry.getKey(), entry.getValue());
            }
        }
        final Process process = builder.start();
        try
        {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                fail("%s did not finish within %d s", String.join(" ", command), TIMEOUT_SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + String.join(" ", command), ex);
        }
        return new ProcessRun(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    }
}
