package org.cachefs.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.hadoop.CacheSettings;
import org.cachefs.hadoop.CachingFileSystem;
import org.cachefs.readthrough.CachedFile;
import org.cachefs.readthrough.FileVersion;
import org.cachefs.readthrough.Origin;
import org.cachefs.readthrough.ReadThroughCache;
import org.cachefs.readthrough.ReadThroughOptions;
import org.cachefs.readthrough.ReadThroughStats;
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
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Cache hits through {@link CachingFileSystem} against cache hits through the read-through API it is built on, on the
 * same warm image in the same run: the trial formats an image, writes a data file in full, reads it once through a
 * CachingFileSystem over the raw local file system (every chunk fetched and stored), then opens a
 * {@link ReadThroughCache} over the same image, namespace, path and version, which shares the mount and the file's
 * cache entry (its origin fails every request: only hits can succeed). Both sides read into heap arrays, as Hadoop
 * callers do.
 * <ul>
 * <li>{@code *Sequential1m}: 1 MiB reads in order, each thread its own cursor (Hadoop: the stream's sequential
 * {@code readFully(byte[])}, wrapping with a {@code seek(0)}; read-through: {@code CachedFile.readFully}).</li>
 * <li>{@code *Random4k}: a 4 KiB positioned read at a random 4 KiB-aligned offset (Hadoop: {@code readFully(pos,
 * byte[])} of a stream; read-through: {@code CachedFile.readFully}).</li>
 * </ul>
 * Each thread has its own stream and its own handle, buffers and random generator.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HadoopReadBenchmark
{
    static final int MIB = 1 << 20;
    static final int PAGE = 4096;

    /** Size of the data file in MiB. */
    @Param("128")
    public int fileMiB;

    /** Size of the cache image in MiB. */
    @Param("512")
    public int imageMiB;

    CachingFileSystem fs;
    ReadThroughCache direct;
    org.apache.hadoop.fs.Path file;
    String key;
    FileVersion version;
    long length;

    @Setup(Level.Trial)
    public void setup() throws Exception
    {
        final long start = System.nanoTime();
        final Path data = BenchFiles.writtenFile("hadoop-data-" + fileMiB + "m.dat", (long)fileMiB << 20);
        final Path image = BenchFiles.writtenFile("hadoop-read-" + imageMiB + "m.img", (long)imageMiB << 20);
        Mkfs.format(image, MkfsOptions.defaults().withLabel("bench").withForce(true).withDiscard(false), null);

        final Configuration conf = new Configuration();
        conf.set(CacheSettings.DIRS, image.toString());
        conf.setBoolean(CacheSettings.JMX, false);
        fs = new CachingFileSystem(new RawLocalFileSystem());
        fs.initialize(URI.create("file:///"), conf);
        file = fs.makeQualified(new org.apache.hadoop.fs.Path(data.toUri()));
        final FileStatus status = fs.getFileStatus(file);
        length = status.getLen();
        final byte[] buffer = new byte[MIB];
        try (FSDataInputStream in = fs.open(file))
        {
            for (long position = 0; position < length; position += MIB)
            {
                in.readFully(position, buffer, 0, (int)Math.min(MIB, length - position));
            }
        }
        if (!fs.awaitStored(120, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("chunks still being stored after 120 s");
        }

        // The same cache entry as the file system's: its namespace, the qualified path, and the version
        // (length, modification time) it keeps under fs.cachefs.validation=mtime-length.
        key = file.toString();
        version = new FileVersion(length, Long.toString(status.getModificationTime()));
        direct = ReadThroughCache.open(new HitsOnly(), ReadThroughOptions.builder().image(image, 0)
            .namespace(CacheSettings.DEFAULT_NAMESPACE).jmx(false).build());
        try (CachedFile cached = direct.open(key, version))
        {
            for (long position = 0; position < length; position += MIB)
            {
                cached.readFully(position, ByteBuffer.wrap(buffer, 0, (int)Math.min(MIB, length - position)));
            }
        }
        final ReadThroughStats stats = direct.stats();
        if (stats.cacheHitBytes() != length || stats.cacheMissBytes() != 0 || stats.fallbacks() != 0)
        {
            throw new IllegalStateException("the read-through cache does not see the file system's pages: " + stats);
        }
        BenchFiles.log("HadoopReadBenchmark: %d MiB cached in %.1f s (image %s, %d MiB)", fileMiB,
            (System.nanoTime() - start) / 1e9, image.getFileName(), imageMiB);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        final ReadThroughStats viaFs = fs.cacheStats();
        final ReadThroughStats viaApi = direct.stats();
        BenchFiles.log("HadoopReadBenchmark: file system %s; read-through %s", viaFs, viaApi);
        direct.close();
        fs.close();
        if (viaFs.fallbacks() != 0 || viaApi.fallbacks() != 0)
        {
            throw new IllegalStateException("reads fell back to the origin: file system " + viaFs.fallbacks() +
                ", read-through " + viaApi.fallbacks());
        }
    }

    /** One thread's stream, handle, buffers, cursors and random generator. */
    @State(Scope.Thread)
    public static class Reader
    {
        FSDataInputStream in;
        CachedFile cached;
        final byte[] block = new byte[MIB];
        final byte[] page = new byte[PAGE];
        ByteBuffer blockBuffer;
        ByteBuffer pageBuffer;
        SplittableRandom random;
        long blocks;
        long streamPosition;
        long apiPosition;
        long length;

        @Setup(Level.Trial)
        public void setup(final HadoopReadBenchmark b, final ThreadParams params) throws IOException
        {
            in = b.fs.open(b.file);
            cached = b.direct.open(b.key, b.version);
            blockBuffer = ByteBuffer.wrap(block);
            pageBuffer = ByteBuffer.wrap(page);
            random = new SplittableRandom(31L * params.getThreadIndex() + 7);
            length = b.length;
            blocks = length / MIB;
            final long first = params.getThreadIndex() * blocks / params.getThreadCount() * MIB;
            streamPosition = first;
            apiPosition = first;
            in.seek(first);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException
        {
            in.close();
            cached.close();
        }
    }

    /** The stream's sequential readFully of 1 MiB; at the end of the file it seeks back to the start. */
    @Benchmark
    public int hadoopSequential1m(final Reader reader) throws IOException
    {
        if (reader.streamPosition + MIB > reader.length)
        {
            reader.in.seek(0);
            reader.streamPosition = 0;
        }
        reader.in.readFully(reader.block);
        reader.streamPosition += MIB;
        return reader.block[8];
    }

    /** {@code CachedFile.readFully} of the next 1 MiB. */
    @Benchmark
    public int readThroughSequential1m(final Reader reader) throws IOException
    {
        if (reader.apiPosition + MIB > reader.length)
        {
            reader.apiPosition = 0;
        }
        reader.cached.readFully(reader.apiPosition, reader.blockBuffer.clear());
        reader.apiPosition += MIB;
        return reader.block[8];
    }

    /** The stream's positioned readFully of 4 KiB at a random aligned offset. */
    @Benchmark
    public int hadoopRandom4k(final Reader reader) throws IOException
    {
        final long position = reader.random.nextLong(reader.length / PAGE) * PAGE;
        reader.in.readFully(position, reader.page);
        return reader.page[8];
    }

    /** {@code CachedFile.readFully} of 4 KiB at a random aligned offset. */
    @Benchmark
    public int readThroughRandom4k(final Reader reader) throws IOException
    {
        final long position = reader.random.nextLong(reader.length / PAGE) * PAGE;
        reader.cached.readFully(position, reader.pageBuffer.clear());
        return reader.page[8];
    }

    /** An origin for a warm cache: every request is an error, so a miss cannot pass for a hit. */
    static final class HitsOnly implements Origin
    {
        @Override
        public FileVersion stat(final String path) throws IOException
        {
            throw new IOException("HadoopReadBenchmark reads cached files only: stat of " + path);
        }

        @Override
        public void read(final String path, final FileVersion version, final long offset, final ByteBuffer dst)
            throws IOException
        {
            throw new IOException("HadoopReadBenchmark reads cached files only: read of " + path + " at " +
                offset);
        }
    }
}
