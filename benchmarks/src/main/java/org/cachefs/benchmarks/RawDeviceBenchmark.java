package org.cachefs.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import com.sun.nio.file.ExtendedOpenOption;
import org.cachefs.format.device.AlignedBuffers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The baseline: positional O_DIRECT I/O with {@link FileChannel} on a file written in full, of the same size as the
 * data {@link PageReadBenchmark} caches (8 files of 16 MiB = 128 MiB by default). Each thread has its own aligned
 * buffers, its own {@link SplittableRandom} and its own sequential cursor (starting at a random 128 KiB boundary,
 * wrapping at the end of the file). One operation is one pread or pwrite.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RawDeviceBenchmark
{
    static final int SMALL = 4096;
    static final int LARGE = 128 * 1024;
    static final int WIDE = 1 << 20;

    /** Size of the file in MiB. */
    @Param("128")
    public int fileMiB;

    FileChannel channel;
    /** The same file without O_DIRECT, read through the OS page cache (all of it cached during the setup). */
    FileChannel buffered;
    long size;
    private final SplittableRandom seeds = new SplittableRandom(42);

    @Setup(Level.Trial)
    public void open() throws IOException
    {
        size = (long)fileMiB << 20;
        final Path file = BenchFiles.writtenFile("raw-" + fileMiB + "m.dat", size);
        channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
            ExtendedOpenOption.DIRECT);
        buffered = FileChannel.open(file, StandardOpenOption.READ);
        final ByteBuffer warm = ByteBuffer.allocateDirect(WIDE);
        for (long position = 0; position < size; position += WIDE)
        {
            warm.clear();
            buffered.read(warm, position);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException
    {
        channel.close();
        buffered.close();
    }

    synchronized SplittableRandom newRandom()
    {
        return seeds.split();
    }

    /**
     * One thread's buffers, random source and sequential cursors.
     */
    @State(Scope.Thread)
    public static class Io
    {
        ByteBuffer small;
        ByteBuffer large;
        ByteBuffer wide;
        SplittableRandom random;
        long readCursor;
        long writeCursor;

        @Setup(Level.Trial)
        public void setup(final RawDeviceBenchmark device)
        {
            small = AlignedBuffers.allocate(SMALL);
            large = AlignedBuffers.allocate(LARGE);
            wide = AlignedBuffers.allocate(WIDE);
            random = device.newRandom();
            Pages.pattern(small, random.nextLong());
            Pages.pattern(large, random.nextLong());
            readCursor = random.nextLong(device.size / LARGE) * LARGE;
            writeCursor = random.nextLong(device.size / LARGE) * LARGE;
        }
    }

    /** 4 KiB pread at a random 4 KiB-aligned offset. */
    @Benchmark
    public int randomRead4k(final Io io) throws IOException
    {
        final long position = io.random.nextLong(size / SMALL) * SMALL;
        read(io.small, position);
        return io.small.getInt(0);
    }

    /**
     * 4 KiB pread at a random 4 KiB-aligned offset through the OS page cache (no O_DIRECT): the path of a cache that
     * keeps its pages in files and lets the kernel keep them in memory.
     */
    @Benchmark
    public int bufferedRandomRead4k(final Io io) throws IOException
    {
        final long position = io.random.nextLong(size / SMALL) * SMALL;
        read(buffered, io.small, position);
        return io.small.getInt(0);
    }

    /** 1 MiB pread at a random 1 MiB-aligned offset through the OS page cache. */
    @Benchmark
    public int bufferedRandomRead1m(final Io io) throws IOException
    {
        final long position = io.random.nextLong(size / WIDE) * WIDE;
        read(buffered, io.wide, position);
        return io.wide.getInt(0);
    }

    /** 128 KiB pread, each thread reading its own stream in order. */
    @Benchmark
    public int sequentialRead128k(final Io io) throws IOException
    {
        final long position = io.readCursor;
        io.readCursor = position + LARGE >= size ? 0 : position + LARGE;
        read(io.large, position);
        return io.large.getInt(0);
    }

    /**
     * 128 KiB pread at a random 128 KiB-aligned offset: the peer of {@link PageReadBenchmark#readPages32}, which reads
     * runs of 32 cached pages at random.
     */
    @Benchmark
    public int randomRead128k(final Io io) throws IOException
    {
        final long position = io.random.nextLong(size / LARGE) * LARGE;
        read(io.large, position);
        return io.large.getInt(0);
    }

    /** 4 KiB pwrite at a random 4 KiB-aligned offset. */
    @Benchmark
    public void randomWrite4k(final Io io) throws IOException
    {
        final long position = io.random.nextLong(size / SMALL) * SMALL;
        write(io.small, position);
    }

    /** 128 KiB pwrite, each thread writing its own stream in order. */
    @Benchmark
    public void sequentialWrite128k(final Io io) throws IOException
    {
        final long position = io.writeCursor;
        io.writeCursor = position + LARGE >= size ? 0 : position + LARGE;
        write(io.large, position);
    }

    private void read(final ByteBuffer buffer, final long position) throws IOException
    {
        read(channel, buffer, position);
    }

    private static void read(final FileChannel channel, final ByteBuffer buffer, final long position)
        throws IOException
    {
        buffer.clear();
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer, position + buffer.position()) < 0)
            {
                throw new IOException("end of file at " + (position + buffer.position()));
            }
        }
    }

    private void write(final ByteBuffer buffer, final long position) throws IOException
    {
        buffer.clear();
        while (buffer.hasRemaining())
        {
            channel.write(buffer, position + buffer.position());
        }
    }
}
