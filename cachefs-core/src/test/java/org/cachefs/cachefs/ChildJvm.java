package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A JVM forked to run a main class of the test sources (the test JVM's own java, class path and the JVM flags the
 * libraries need), its standard output and error captured in files, every wait on it bounded.
 * {@link #close()} kills it if it still runs and deletes the captured output; messages of failed checks carry both.
 */
final class ChildJvm implements AutoCloseable
{
    /** The bound of every wait on a child: JVM start-up plus a few hundred page writes on a slow machine. */
    static final long TIMEOUT_SECONDS = 60;

    private static final List<String> JVM_FLAGS = List.of(
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED");

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
     * Starts {@code main} with {@code args}; its output goes to files in {@code dir}.
     */
    static ChildJvm start(final Path dir, final Class<?> main, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.addAll(JVM_FLAGS);
        if (Runtime.version().feature() >= 24)
        {
            command.add("--enable-native-access=ALL-UNNAMED");
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        final Path out = Files.createTempFile(dir, "child", ".out");
        final Path err = Files.createTempFile(dir, "child", ".err");
        final Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
            .start();
        return new ChildJvm(main.getSimpleName() + " " + String.join(" ", args), process, out, err);
    }

    /**
     * Waits for the child to exit.
     *
     * @return its exit code.
     * @throws AssertionError with the child's output if it does not exit within {@link #TIMEOUT_SECONDS}.
     */
    int awaitExit() throws InterruptedException
    {
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            throw new AssertionError("child '" + description + "' still running after " + TIMEOUT_SECONDS + " s" +
                output());
        }
        return process.exitValue();
    }

    /**
     * Waits for the child to exit with {@code code}.
     *
     * @throws AssertionError with the child's output otherwise.
     */
    void expectExit(final int code) throws InterruptedException
    {
        final int actual = awaitExit();
        if (actual != code)
        {
            throw new AssertionError("child '" + description + "' exited with " + actual + " instead of " + code +
                output());
        }
    }

    /**
     * Waits until the child has printed {@code line} as a whole line.
     *
     * @throws AssertionError with the child's output if it exits first or the bound passes.
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

    /**
     * Closes the child's standard input (a child waiting for its end proceeds).
     */
    void closeStdin() throws IOException
    {
        process.getOutputStream().close();
    }

    List<String> stdoutLines() throws IOException
    {
        return Files.readAllLines(stdout, StandardCharsets.UTF_8);
    }

    /**
     * @return the child's output, for failure messages.
     */
    String output()
    {
        try
        {
            return "\n--- stdout of '" + description + "':\n" + Files.readString(stdout) +
                "\n--- stderr:\n" + Files.readString(stderr);
        }
        catch (final IOException ex)
        {
            return "\n(output unreadable: " + ex + ")";
        }
    }

    /**
     * Kills the child if it still runs (bounded wait for its end) and deletes its captured output.
     */
    @Override
    public void close() throws IOException
    {
        try
        {
            if (process.isAlive())
            {
                process.destroyForcibly();
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
                {
                    throw new AssertionError("child '" + description + "' survived destroyForcibly for " +
                        TIMEOUT_SECONDS + " s");
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }
}
