package org.cachefs.format.device;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A loop device attached over an image file for a test, detached by {@link #close()}. {@link #attach} skips the
 * test, saying why, where losetup is missing, without root, or when no loop device can be attached.
 */
final class LoopDevice implements AutoCloseable
{
    private static final long TIMEOUT_SECONDS = 30;

    private final Path losetup;
    private final Path scratch;
    private final Path path;

    private LoopDevice(final Path losetup, final Path scratch, final Path path)
    {
        this.losetup = losetup;
        this.scratch = scratch;
        this.path = path;
    }

    record Result(int exit, String stdout, String stderr)
    {
    }

    /**
     * Attaches a loop device over {@code image}, or skips the test.
     *
     * @param scratch a directory for the output of losetup.
     */
    static LoopDevice attach(final Path scratch, final Path image) throws IOException, InterruptedException
    {
        final Path losetup = findLosetup();
        assumeTrue(losetup != null, "losetup is not installed");
        final int uid = (Integer)Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        assumeTrue(uid == 0, "attaching a loop device needs root; running as uid " + uid);
        final Result attach = run(scratch, losetup.toString(), "-f", "--show", image.toString());
        assumeTrue(attach.exit() == 0 && attach.stdout().startsWith("/dev/loop"),
            "losetup could not attach a loop device: exit " + attach.exit() + ", " + attach.stderr());
        return new LoopDevice(losetup, scratch, Path.of(attach.stdout()));
    }

    /**
     * @return the device node, e.g. /dev/loop3.
     */
    Path path()
    {
        return path;
    }

    /**
     * @return the value of {@code /sys/block/loopN/queue/<name>}.
     */
    String queue(final String name) throws IOException
    {
        return Files.readString(Path.of("/sys/block", path.getFileName().toString(), "queue", name)).trim();
    }

    /**
     * Detaches the device.
     *
     * @throws AssertionError if losetup -d fails.
     */
    @Override
    public void close() throws IOException, InterruptedException
    {
        final Result detach = run(scratch, losetup.toString(), "-d", path.toString());
        if (detach.exit() != 0)
        {
            throw new AssertionError("losetup -d " + path + " failed: exit " + detach.exit() + ", " +
                detach.stderr());
        }
    }

    static Result run(final Path scratch, final String... command) throws IOException, InterruptedException
    {
        final Path out = Files.createTempFile(scratch, "cmd-", ".out");
        final Path err = Files.createTempFile(scratch, "cmd-", ".err");
        final Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
            .start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return new Result(-1, "", String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8).trim(),
            Files.readString(err, StandardCharsets.UTF_8).trim());
    }

    private static Path findLosetup()
    {
        final List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/sbin/losetup"), Path.of("/sbin/losetup")));
        final String path = System.getenv("PATH");
        if (path != null)
        {
            for (final String entry : path.split(":"))
            {
                if (!entry.isEmpty())
                {
                    candidates.add(Path.of(entry, "losetup"));
                }
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
    }
}
