package org.cachefs.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

import com.sun.nio.file.ExtendedOpenOption;
import org.cachefs.format.device.AlignedBuffers;

/**
 * Where the benchmarks keep their files, and files written in full once and reused by later runs.
 * <p>
 * A file "written in full" has every block written with data, so O_DIRECT reads cost real device reads (an
 * unwritten, fallocated extent reads as zeros without touching the disk) and writes are overwrites of allocated
 * blocks, for the raw baseline and the cache images alike. A marker file next to it records that the writing
 * finished; without the marker the file is written again.
 */
public final class BenchFiles
{
    /** System property naming the directory of the benchmark files. */
    public static final String DIR_PROPERTY = "cachefs.bench.dir";
    /** System property naming a directory where benchmarks write figures JMH does not record (memory). */
    public static final String RESULTS_PROPERTY = "cachefs.bench.results";

    private static final int CHUNK = 1 << 20;

    private BenchFiles()
    {
    }

    /**
     * @return the directory of the benchmark files, created if needed.
     */
    public static Path dataDir() throws IOException
    {
        final String configured = System.getProperty(DIR_PROPERTY);
        final Path dir = configured != null && !configured.isBlank() ? Path.of(configured) :
            Path.of(System.getProperty("java.io.tmpdir"), "cachefs-bench");
        Files.createDirectories(dir);
        return dir.toAbsolutePath();
    }

    /**
     * @return the results directory named by {@value #RESULTS_PROPERTY}, or null.
     */
    public static Path resultsDir() throws IOException
    {
        final String configured = System.getProperty(RESULTS_PROPERTY);
        if (configured == null || configured.isBlank())
        {
            return null;
        }
        final Path dir = Path.of(configured);
        Files.createDirectories(dir);
        return dir;
    }

    /**
     * A file of {@code bytes} bytes in the data directory whose every block has been written, reused when an
     * earlier run left one complete.
     */
    public static Path writtenFile(final String name, final long bytes) throws IOException
    {
        final Path dir = dataDir();
        final Path file = dir.resolve(name);
        final Path marker = dir.resolve(name + ".written");
        final String stamp = Long.toString(bytes);
        if (Files.isRegularFile(file) && Files.size(file) == bytes && Files.isRegularFile(marker) &&
            Files.readString(marker, StandardCharsets.UTF_8).trim().equals(stamp))
        {
            return file;
        }
        Files.deleteIfExists(marker);
        Files.deleteIfExists(file);
        final long start = System.nanoTime();
        final Path tmp = dir.resolve(name + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            ExtendedOpenOption.DIRECT))
        {
            final ByteBuffer buffer = AlignedBuffers.allocate(CHUNK);
            final SplittableRandom random = new SplittableRandom(bytes);
            while (buffer.hasRemaining())
            {
                buffer.putLong(random.nextLong());
            }
            for (long position = 0; position < bytes; position += CHUNK)
            {
                buffer.clear().limit((int)Math.min(CHUNK, bytes - position));
                buffer.putLong(0, position);
                while (buffer.hasRemaining())
                {
                    channel.write(buffer, position + buffer.position());
                }
            }
            channel.force(true);
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot write " + tmp + " with O_DIRECT (" + ex.getMessage() + "); point -D" +
                DIR_PROPERTY + " at a directory on ext4 or xfs (or tmpfs on Linux 6.6 or later)", ex);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(marker, stamp + "\n", StandardCharsets.UTF_8);
        log("wrote %s (%d MiB) in %.1f s", file, bytes >> 20, (System.nanoTime() - start) / 1e9);
        return file;
    }

    /**
     * A line on the benchmark's output (JMH shows a fork's output in the run's log).
     */
    public static void log(final String format, final Object... args)
    {
        System.out.println("cachefs-bench: " + String.format(format, args));
        System.out.flush();
    }
}
