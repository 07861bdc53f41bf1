package org.cachefs.cachefs;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.device.BlockDevice;
import org.cachefs.format.device.DirectBlockDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The backend contract on CacheFS over a block device: each test's image file is attached to a loop device
 * ({@code losetup -f --show}), formatted and opened there (O_DIRECT, {@code O_EXCL}), with the same fault injection as
 * {@link CacheFsBackendTest}. Every loop device is detached after its test, and at the end of the class whatever a
 * failure left attached. Every test is skipped, with the reason, where loop devices cannot be used: no
 * {@code losetup}, not root, or attaching fails.
 */
class CacheFsLoopDeviceTest extends CacheFsBackendTest
{
    private static final long COMMAND_TIMEOUT_SECONDS = 20;

    /** Loop devices attached by this class and not detached yet. */
    private static final Set<String> ATTACHED = ConcurrentHashMap.newKeySet();

    private static String losetup;

    /** Why loop devices cannot be used here, or null if they can. */
    private static String unavailable;

    private final List<String> loops = new ArrayList<>();

    @TempDir
    Path dir;

    private record Outcome(int exitCode, String stdout, String stderr)
    {
    }

    /**
     * Finds out once whether loop devices can be used; each test's set-up then skips it with the reason if not.
     */
    @BeforeAll
    static void probeLoopDevices() throws IOException, InterruptedException
    {
        losetup = findLosetup();
        if (losetup == null)
        {
            unavailable = "losetup is not installed (looked in PATH, /sbin and /usr/sbin)";
            return;
        }
        final long uid = uid();
        if (uid != 0)
        {
            unavailable = "attaching loop devices needs root; running as uid " + uid;
            return;
        }
        final Path probe = Files.createTempFile("cachefs-loop-probe", ".img");
        try
        {
            Files.write(probe, new byte[1 << 20]);
            final Outcome attached = run(losetup, "-f", "--show", probe.toString());
            if (attached.exitCode != 0 || !attached.stdout.startsWith("/dev/"))
            {
                unavailable = "cannot attach a loop device: losetup exited with " + attached.exitCode + ": " +
                    attached.stderr.strip();
                return;
            }
            final String loop = attached.stdout.strip();
            ATTACHED.add(loop);
            detach(loop);
        }
        finally
        {
            Files.deleteIfExists(probe);
        }
    }

    @AfterAll
    static void detachLeftovers() throws IOException, InterruptedException
    {
        for (final String loop : List.copyOf(ATTACHED))
        {
            detach(loop);
        }
    }

    @Override
    protected BlockDevice openFormatted(final int blockSize, final long blocks) throws IOException
    {
        assumeTrue(unavailable == null, unavailable);
        final Path image = newImage(blocks * blockSize);
        final Path loop = Path.of(attach(image));
        assertThat(DirectBlockDevice.isBlockDevice(loop)).as("%s is a block device", loop).isTrue();
        Mkfs.format(loop, MkfsOptions.defaults().withBlockSize(blockSize), null);
        final DirectBlockDevice device = DirectBlockDevice.open(loop);
        assertThat(device.isBlockDevice()).isTrue();
        assertThat(device.size()).isEqualTo(blocks * blockSize);
        return device;
    }

    @Override
    protected void releaseDevices() throws IOException
    {
        try
        {
            for (final String loop : loops)
            {
                detach(loop);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while detaching " + loops, ex);
        }
        finally
        {
            loops.clear();
            super.releaseDevices();
        }
    }

    @Test
    void theMountedLoopDeviceIsRefusedToAnotherProcess() throws Exception
    {
        assertThat(loops).hasSize(1);
        final Path loop = Path.of(loops.get(0));
        try (ChildJvm child = ChildJvm.start(dir, CacheFsChild.class, "mount", loop.toString()))
        {
            child.expectExit(CacheFsChild.REFUSED_EXIT);
            assertThat(child.stdoutLines()).as(child.output()).containsExactly(
                "DeviceInUseException: " + loop.getFileName() + " is in use by another cachefs instance");
        }
    }

    private String attach(final Path image) throws IOException
    {
        final Outcome attached;
        try
        {
            attached = run(losetup, "-f", "--show", image.toString());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while attaching " + image, ex);
        }
        assumeTrue(attached.exitCode == 0 && attached.stdout.startsWith("/dev/"),
            "cannot attach a loop device: losetup exited with " + attached.exitCode + ": " + attached.stderr.strip());
        final String loop = attached.stdout.strip();
        ATTACHED.add(loop);
        loops.add(loop);
        return loop;
    }

    private static void detach(final String loop) throws IOException, InterruptedException
    {
        final Outcome detached = run(losetup, "-d", loop);
        if (detached.exitCode != 0)
        {
            throw new IOException("losetup -d " + loop + " exited with " + detached.exitCode + ": " +
                detached.stderr.strip());
        }
        ATTACHED.remove(loop);
    }

    private static Outcome run(final String... command) throws IOException, InterruptedException
    {
        final Path out = Files.createTempFile("cachefs-losetup", ".out");
        final Path err = Files.createTempFile("cachefs-losetup", ".err");
        final Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
            .start();
        try
        {
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                throw new IOException(String.join(" ", command) + " did not end within " + COMMAND_TIMEOUT_SECONDS +
                    " s");
            }
            return new Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        }
        finally
        {
            if (process.isAlive())
            {
                process.destroyForcibly();
                process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static String findLosetup()
    {
        final List<String> directories = new ArrayList<>(List.of(
            System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        directories.add("/sbin");
        directories.add("/usr/sbin");
        for (final String directory : directories)
        {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, "losetup")))
            {
                return Path.of(directory, "losetup").toString();
            }
        }
        return null;
    }

    /**
     * @return the effective user id of this process, from {@code /proc/self/status}; -1 if unknown.
     */
    private static long uid() throws IOException
    {
        final Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status))
        {
            return -1;
        }
        for (final String line : Files.readAllLines(status))
        {
            if (line.startsWith("Uid:"))
            {
                return Long.parseLong(line.substring(4).strip().split("\\s+")[1]);
            }
        }
        return -1;
    }
}
