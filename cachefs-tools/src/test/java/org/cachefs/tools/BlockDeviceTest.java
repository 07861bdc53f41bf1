package org.cachefs.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.cachefs.cachefs.CacheFs;
import org.cachefs.cachefs.CacheFsBackend;
import org.cachefs.cachefs.MountOptions;
import org.cachefs.format.device.DirectBlockDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.cachefs.tools.ToolOutput.cachefs;
import static org.cachefs.tools.ToolOutput.mkfs;

/**
 * mkfs.cachefs and cachefs stat on a real block device: an 8 MiB loop device (512-byte sectors) over a file.
 * Skipped, saying why, where losetup is missing or cannot attach a device (not root, no loop support).
 */
class BlockDeviceTest
{
    private static final long SIZE = 8L << 20;

    @TempDir
    Path dir;

    private Path loop;

    @BeforeEach
    void attachLoopDevice() throws IOException, InterruptedException
    {
        final Path losetup = losetup();
        assumeThat(losetup).as("losetup is not installed").isNotNull();
        final Path backing = TestImages.zeros(dir.resolve("backing.img"), SIZE);
        final String[] result = exec(losetup.toString(), "-f", "--show", backing.toString());
        assumeThat(result[0]).as("losetup cannot attach a loop device here: %s", result[2]).isEqualTo("0");
        loop = Path.of(result[1].strip());
    }

    @AfterEach
    void detachLoopDevice() throws IOException, InterruptedException
    {
        if (loop != null)
        {
            final String[] result = exec(losetup().toString(), "-d", loop.toString());
            assertThat(result[0]).as("losetup -d %s: %s", loop, result[2]).isEqualTo("0");
        }
    }

    @Test
    void sizeOnABlockDeviceIsAUsageError()
    {
        assertThat(mkfs("-s", "1M", loop.toString())).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: " + loop.getFileName() + " is a block device: its size is the device's, -s cannot be " +
                "used\nTry 'mkfs.cachefs --help' for more information.\n"));
    }

    @Test
    void formatsTheWholeDeviceAndStatsIt() throws IOException
    {
        final ToolOutput formatted = mkfs("-L", "loop", loop.toString());

        assertThat(formatted.err()).isEmpty();
        assertThat(formatted.exitCode()).isEqualTo(0);
        assertThat(formatted.out()).startsWith("Formatted " + loop.getFileName() + " as cachefs 1.0\n" +
            "  size:        8388608 bytes (8.0 MiB)\n" +
            "  block size:  4096\n" +
            "  blocks:      2048\n");
        assertThat(formatted.out()).contains("\n  discard:     zeroed 7.9 MiB (BLKZEROOUT)\n");

        final ToolOutput text = cachefs("stat", loop.toString());
        assertThat(text.exitCode()).isEqualTo(0);
        assertThat(text.out()).startsWith("Device:               " + loop.getFileName() + " (block device)\n")
            .contains("Label:                loop\n", "Block count:          2048\n",
                "Device size:          8388608 bytes (8.0 MiB)\n", "Sector size:          512\n");

        final Map<String, Object> json = StrictJson.parseObject(cachefs("stat", "--json", loop.toString()).out());
        assertThat(json.get("device")).isEqualTo(loop.getFileName().toString());
        assertThat(json.get("block_device")).isEqualTo(true);
        assertThat(json.get("block_count")).isEqualTo(2048L);
        assertThat(json.get("device_size")).isEqualTo(SIZE);
        assertThat(json.get("sector_size")).isEqualTo(512L);
    }

    @Test
    void refusesToOverwriteItsOwnImageWithoutForce()
    {
        assertThat(mkfs("-q", loop.toString()).exitCode()).isEqualTo(0);

        final ToolOutput again = mkfs(loop.toString());

        assertThat(again.exitCode()).isEqualTo(8);
        assertThat(again.err()).startsWith("mkfs.cachefs: " + loop.getFileName() + " already contains a cachefs " +
            "image (uuid ").endsWith("); use -f to overwrite it\n");
    }

    @Test
    void refusesADeviceInUse() throws IOException
    {
        final ToolOutput result;
        try (DirectBlockDevice owner = DirectBlockDevice.open(loop))
        {
            result = mkfs("-q", "-f", loop.toString());
        }

        assertThat(result).isEqualTo(new ToolOutput(8, "",
            "mkfs.cachefs: " + loop.getFileName() + " is in use by another cachefs instance\n"));
    }

    @Test
    void fsckNamesALiveMountOfTheDeviceAndRefusesToRepairIt() throws IOException
    {
        assertThat(mkfs("-q", loop.toString()).exitCode()).isEqualTo(0);
        final String name = loop.getFileName().toString();
        final String holder = "in use by another cachefs instance or a mounted filesystem (the system does not say " +
            "which process)";
        final ToolOutput check;
        final ToolOutput repair;
        try (CacheFsBackend mounted = CacheFs.mount(loop, MountOptions.defaults().withRamTierBytes(0)))
        {
            check = FsckCommandTest.fsck("-n", loop.toString());
            repair = FsckCommandTest.fsck("-y", loop.toString());
        }

        assertThat(check.err()).isEmpty();
        assertThat(check.out()).startsWith(name + ": mounted: " + holder + "; checking its last commit read-only, " +
            "the answer may already be stale\n" + name + ": clean, 0 objects, 0 pages, ");
        assertThat(check.exitCode()).isEqualTo(0);
        assertThat(repair).isEqualTo(new ToolOutput(8, "", "fsck.cachefs: " + name + " is mounted: " + holder +
            ": unmount it first, or check it read-only with -n\n"));
        // Unmounted: no longer named.
        assertThat(FsckCommandTest.fsck("-n", "-f", loop.toString()).out()).startsWith(name + ": clean, ");
    }

    private static Path losetup()
    {
        for (final String candidate : new String[]{ "/usr/sbin/losetup", "/sbin/losetup", "/usr/bin/losetup" })
        {
            if (Files.isExecutable(Path.of(candidate)))
            {
                return Path.of(candidate);
            }
        }
        return null;
    }

    /**
     * @return exit code, stdout and stderr.
     */
    private String[] exec(final String... command) throws IOException, InterruptedException
    {
        final Path out = Files.createTempFile(dir, "exec", ".out");
        final Path err = Files.createTempFile(dir, "exec", ".err");
        final Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
            .start();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish within 60 s");
        }
        return new String[]{ Integer.toString(process.exitValue()), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8).strip() };
    }
}
