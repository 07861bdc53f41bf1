package org.cachefs.format.device;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a test main class on this JVM's class path, started without JVM flags, with every wait
 * bounded. Closing it destroys the process if it is still running. Used by the test thread that started it.
 */
final class ChildJvm implements AutoCloseable
{
    static final long TIMEOUT_SECONDS = 60;
    private static final String EOF = "\0eof";

    private final Process process;
    private final Path stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildJvm(final Process process, final Path stderr)
    {
        this.process = process;
        this.stderr = stderr;
        final Thread reader = new Thread(this::pump, "child-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code main} with {@code args}; the child's standard error goes to a file in {@code dir}.
     */
    static ChildJvm start(final Path dir, final Class<?> main, final String... args) throws IOException
    {
        final String java = ProcessHandle.current().info().command().orElseThrow(
            () -> new IllegalStateException("cannot tell which java binary runs this JVM"));
        // no JVM flags: the library runs in a JVM started without any, as in the applications that load it
        final List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
            main.getName()));
        command.addAll(List.of(args));
        final Path stderr = Files.createTempFile(dir, "child-", ".stderr");
        final ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
        // the variables through which the java launcher and the JVM take further options
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("_JAVA_OPTIONS");
        final Process process = builder.start();
        return new ChildJvm(process, stderr);
    }

    private void pump()
    {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            for (String line = reader.readLine(); line != null; line = reader.readLine())
            {
                lines.add(line);
            }
        }
        catch (final IOException ex)
        {
            lines.add("stdout failed: " + ex);
        }
        finally
        {
            lines.add(EOF);
        }
    }

    /**
     * @return the next line the child prints, waiting at most {@link #TIMEOUT_SECONDS}.
     * @throws AssertionError naming the child's standard error if none comes.
     */
    String readLine() throws IOException, InterruptedException
    {
        final String line = lines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (line == null || line.equals(EOF))
        {
            throw new AssertionError((line == null ? "no line from the child in " + TIMEOUT_SECONDS + " s" :
                "the child ended without a line") + "; its stderr: " + Files.readString(stderr));
        }
        return line;
    }

    /**
     * Tells the child to finish (a line, then end of input) and waits for it to exit.
     *
     * @return its exit status.
     */
    int finish() throws IOException, InterruptedException
    {
        try
        {
            process.getOutputStream().write('\n');
            process.getOutputStream().close();
        }
        catch (final IOException ex)
        {
            // already gone: waitFor tells
        }
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            throw new AssertionError("child did not exit in " + TIMEOUT_SECONDS + " s; its stderr: " +
                Files.readString(stderr));
        }
        return process.exitValue();
    }

    String stderr() throws IOException
    {
        return Files.readString(stderr);
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
