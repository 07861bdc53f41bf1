package org.cachefs.hadoop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A JVM forked to run a main class on a given class path (no JVM flags but heap and compiler settings, none from the
 * environment either), its output captured in files, every wait on it bounded. Used by the test thread that started
 * it; {@link #close()} kills it if it still runs.
 */
final class ChildJvm implements AutoCloseable
{
    /** The bound of every wait on a child. */
    static final long TIMEOUT_SECONDS = 90;

    static final List<String> JVM_ARGUMENTS = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final String description;
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private ChildJvm(final String description, final Process process, final Path stdout, final Path stderr)
    {
        this.description = description;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Starts {@code main} with {@code args} on {@code classPath}; its output goes to files in {@code dir}.
     */
    static ChildJvm start(final Path dir, final String classPath, final String main, final String... args)
        throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_ARGUMENTS);
        command.add("-cp");
        command.add(classPath);
        command.add(main);
        command.addAll(List.of(args));
        Files.createDirectories(dir);
        final Path out = Files.createTempFile(dir, "child", ".out");
        final Path err = Files.createTempFile(dir, "child", ".err");
        final ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
            .redirectError(err.toFile());
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("_JAVA_OPTIONS");
        return new ChildJvm(main + " " + String.join(" ", args), builder.start(), out, err);
    }

    /**
     * Waits for the child to exit with {@code code}.
     *
     * @throws AssertionError with the child's output otherwise, or if it runs past {@link #TIMEOUT_SECONDS}.
     */
    void expectExit(final int code) throws InterruptedException
    {
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            throw new AssertionError("child '" + description + "' still running after " + TIMEOUT_SECONDS + " s" +
                output());
        }
        if (process.exitValue() != code)
        {
            throw new AssertionError("child '" + description + "' exited with " + process.exitValue() +
                " instead of " + code + output());
        }
    }

    /**
     * Waits until the child has printed {@code line} as a whole line.
     */
    void awaitLine(final String line) throws IOException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!stdoutLines().contains(line))
        {
            if (!process.isAlive() && !stdoutLines().contains(line))
            {
                throw new AssertionError("child '" + description + "' exited with " + process.exitValue() +
                    " before printing '" + line + "'" + output());
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("child '" + description + "' did not print '" + line + "' within " +
                    TIMEOUT_SECONDS + " s" + output());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** Closes the child's standard input (a child waiting for its end proceeds). */
    void closeStdin() throws IOException
    {
        process.getOutputStream().close();
    }

    List<String> stdoutLines() throws IOException
    {
        return Files.readAllLines(stdout, StandardCharsets.UTF_8);
    }

    List<String> stderrLines() throws IOException
    {
        return Files.readAllLines(stderr, StandardCharsets.UTF_8);
    }

    /** @return the child's output, for failure messages. */
    String output()
    {
        try
        {
            return "\n--- stdout of '" + description + "':\n" + Files.readString(stdout) + "\n--- stderr:\n" +
                Files.readString(stderr);
        }
        catch (final IOException ex)
        {
            return "\n(output unreadable: " + ex + ")";
        }
    }

    @Override
    public void close() throws IOException
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
        Files.deleteIfExists(stdout);
        Files.deleteIfExists(stderr);
    }
}
