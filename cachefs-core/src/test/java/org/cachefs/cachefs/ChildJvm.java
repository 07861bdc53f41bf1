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
 * A JVM forked to run a main class of the test sources or of a given class path (the test JVM's own java, and
 * {@link #JVM_ARGUMENTS} only: no {@code --add-exports}, {@code --add-opens} or {@code --enable-native-access}, none
 * from the environment either; the libraries need none), its standard output and error captured in files, every wait
 * on it bounded. Used by the test thread that started it.
 * {@link #close()} kills it if it still runs and deletes the captured output; messages of failed checks carry both.
 * Shared with the other modules' tests through this module's test jar.
 */
public final class ChildJvm implements AutoCloseable
{
    /** The bound of every wait on a child: JVM start-up and loading a Hadoop runtime, or a few hundred page writes. */
    public static final long TIMEOUT_SECONDS = 90;

    /** Every argument a child JVM gets before its class path: heap and compiler settings. */
    public static final List<String> JVM_ARGUMENTS =
        List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

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
     * Starts {@code main} of the test JVM's class path with {@code args}; its output goes to files in {@code dir}.
     */
    public static ChildJvm start(final Path dir, final Class<?> main, final String... args) throws IOException
    {
        return start(dir, System.getProperty("java.class.path"), main.getName(), args);
    }

    /**
     * Starts {@code main} on {@code classPath} with {@code args}; its output goes to files in {@code dir}, which is
     * created if missing.
     */
    public static ChildJvm start(final Path dir, final String classPath, final String main, final String... args)
        throws IOException
    {
        return start(dir, Path.of(ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString())), classPath, main, args);
    }

    /**
     * Starts {@code main} on {@code classPath} with {@code args} in the JVM of the {@code java} launcher given; its
     * output goes to files in {@code dir}, which is created if missing.
     */
    public static ChildJvm start(
        final Path dir, final Path java, final String classPath, final String main, final String... args)
        throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(java.toString());
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
        // the variables through which the java launcher and the JVM take further options
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("_JAVA_OPTIONS");
        final Process process = builder.start();
        return new ChildJvm(main.substring(main.lastIndexOf('.') + 1) + " " + String.join(" ", args), process, out,
            err);
    }

    /**
     * Waits for the child to exit.
     *
     * @return its exit code.
     * @throws AssertionError with the child's output if it does not exit within {@link #TIMEOUT_SECONDS}.
     */
    public int awaitExit() throws InterruptedException
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
    public void expectExit(final int code) throws InterruptedException
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
    public void awaitLine(final String line) throws IOException
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
    public void closeStdin() throws IOException
    {
        process.getOutputStream().close();
    }

    public List<String> stdoutLines() throws IOException
    {
        return Files.readAllLines(stdout, StandardCharsets.UTF_8);
    }

    public List<String> stderrLines() throws IOException
    {
        return Files.readAllLines(stderr, StandardCharsets.UTF_8);
    }

    /**
     * @return the child's output, for failure messages.
     */
    public String output()
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
