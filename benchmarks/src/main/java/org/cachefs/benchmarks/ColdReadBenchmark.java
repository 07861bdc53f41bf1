package org.cachefs.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.readthrough.CachedFile;
import org.cachefs.readthrough.FileVersion;
import org.cachefs.readthrough.ReadThroughCache;
import org.cachefs.readthrough.ReadThroughOptions;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * A cold file read in order through the read-through API from an origin that adds {@code latencyMillis} to every
 * request: each invocation reads a file the cache has never seen, {@code fileMiB} MiB in {@code readKiB} KiB reads,
 * with the default chunking. The counters give origin requests and MiB read: their ratio is the requests per MiB.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
public class ColdReadBenchmark
{
    /** Latency added to each origin request. */
    @Param("20")
    public int latencyMillis;

    /** Size of each cold file. */
    @Param("16")
    public int fileMiB;

    /** Size of each read. */
    @Param({"128", "1024"})
    public int readKiB;

    /** Size of the cache image in MiB. */
    @Param("1024")
    public int imageMiB;

    SyntheticOrigin origin;
    ReadThroughCache cache;
    final AtomicInteger next = new AtomicInteger();

    @Setup(Level.Trial)
    public void setup() throws IOException
    {
        final Path image = BenchFiles.dataDir().resolve("rt-cold.img");
        Mkfs.format(image, MkfsOptions.defaults().withSize((long)imageMiB << 20).withForce(true), null);
        origin = new SyntheticOrigin(latencyMillis);
        cache = ReadThroughCache.open(origin, ReadThroughOptions.builder().image(image, 0).jmx(false).build());
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        cache.close();
    }

    /** What one invocation asked of the origin. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Requests
    {
        public long originRequests;
        public long mibRead;
    }

    @Benchmark
    public long readColdFile(final Requests requests) throws IOException
    {
        final String path = "/cold/file-" + next.incrementAndGet();
        final FileVersion version = origin.add(path, (long)fileMiB << 20);
        final long before = origin.reads.sum();
        final ByteBuffer buffer = ByteBuffer.allocateDirect(readKiB << 10);
        long sum = 0;
        try (CachedFile file = cache.open(path, version))
        {
            for (long position = 0; position < file.length(); position += buffer.capacity())
            {
                file.readFully(position, buffer.clear());
                sum += buffer.get(0);
            }
        }
        requests.originRequests += origin.reads.sum() - before;
        requests.mibRead += fileMiB;
        return sum;
    }
}
