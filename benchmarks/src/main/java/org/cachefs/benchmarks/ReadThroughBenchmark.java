package org.cachefs.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.cachefs.cachefs.MountOptions;
import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.Result;
import org.cachefs.readthrough.CachedFile;
import org.cachefs.readthrough.FileVersion;
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

/**
 * Cache hits through the read-through API against the engine's own page-hit path, in one run: {@code CachedFile}
 * reads of 4 KiB and 1 MiB at random cached positions, and the same sizes through {@code readOrAllocPage(s)} on a
 * second image holding the same files (one page, or a list of 256 pages, then uncached). Both images are written in
 * full first, so every read reaches the device; both caches are warm before measuring.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ReadThroughBenchmark
{
    static final int PAGE = CacheSetup.PAGE_SIZE;
    static final int MIB = 1 << 20;
    static final int PAGES_PER_MIB = MIB / PAGE;

    /** Size of each cache image in MiB. */
    @Param("1024")
    public int imageMiB;

    /** Files cached in each image. */
    @Param("8")
    public int files;

    /** Size of each file in MiB. */
    @Param("16")
    public int fileMiB;

    /**
     * The RAM tier's size in MiB on both sides ({@code MountOptions.ramTierBytes}): 0 (the default) measures hits
     * from the device; 256 holds all 128 MiB of the default data, which a pass over it in the setup puts there, so
     * that the read-through side copies pages from RAM with {@code Cookie.readResident} and the engine side serves
     * them from RAM through its page API.
     */
    @Param("0")
    public int ramTierMiB;

    CacheSetup engine;
    Cookie[] cookies;
    ReadThroughCache cache;
    CachedFile[] handles;

    @Setup(Level.Trial)
    public void setup() throws IOException, InterruptedException
    {
        final long start = System.nanoTime();
        final long filePages = (long)fileMiB * PAGES_PER_MIB;
        final MountOptions mountOptions = MountOptions.defaults().withRamTierBytes((long)ramTierMiB << 20);
        engine = CacheSetup.format(BenchFiles.writtenFile("rt-engine-" + imageMiB + "m.img", (long)imageMiB << 20), 2,
            mountOptions);
        cookies = new Cookie[files];
        for (int f = 0; f < files; f++)
        {
            cookies[f] = engine.acquire("file-" + f);
        }
        CacheSetup.fillAll(cookies, filePages, 1);
        engine.awaitIdle();
        engine.backend.commit();

        final Path image = BenchFiles.writtenFile("rt-cache-" + imageMiB + "m.img", (long)imageMiB << 20);
        Mkfs.format(image, MkfsOptions.defaults().withForce(true).withDiscard(false), null);
        final SyntheticOrigin origin = new SyntheticOrigin(0);
        cache = ReadThroughCache.open(origin, ReadThroughOptions.builder().image(image, 0).jmx(false)
            .mountOptions(mountOptions).build());
        handles = new CachedFile[files];
        final ByteBuffer fill = ByteBuffer.allocateDirect(MIB);
        for (int f = 0; f < files; f++)
        {
            final String path = "/bench/file-" + f;
            final FileVersion version = origin.add(path, (long)fileMiB * MIB);
            handles[f] = cache.open(path, version);
            for (int m = 0; m < fileMiB; m++)
            {
                handles[f].readFully((long)m * MIB, fill.clear());
            }
        }
        if (!cache.awaitStored(5, TimeUnit.MINUTES))
        {
            throw new IllegalStateException("stores did not end");
        }
        final ReadThroughStats stats = cache.stats();
        if (stats.storedPages() != files * filePages || stats.fallbacks() != 0)
        {
            throw new IllegalStateException("the read-through cache did not store every page: " + stats);
        }
        if (ramTierMiB > 0)
        {
            warmRamTier(fill);
        }
        BenchFiles.log("ReadThroughBenchmark: %d files x %d MiB cached twice in %.1f s", files, fileMiB,
            (System.nanoTime() - start) / 1e9);
    }

    /**
     * Reads all the data once more on both sides, from the device, which puts it in the RAM tiers.
     */
    private void warmRamTier(final ByteBuffer buffer) throws IOException
    {
        final Reader reader = new Reader();
        reader.setup();
        for (int f = 0; f < files; f++)
        {
            for (int m = 0; m < fileMiB; m++)
            {
                handles[f].readFully((long)m * MIB, buffer.clear());
            }
        }
        for (int f = 0; f < files; f++)
        {
            for (int m = 0; m < fileMiB; m++)
            {
                readEngine1m(reader, f, m);
            }
        }
        BenchFiles.log("ReadThroughBenchmark: RAM tiers hold %d (read-through) and %d (engine) of %d pages each",
            cache.mountedImages().get(0).backend().usage().get("ramTierPages"),
            engine.backend.usage().get("ramTierPages"), (long)files * fileMiB * PAGES_PER_MIB);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        final ReadThroughStats stats = cache.stats();
        BenchFiles.log("ReadThroughBenchmark: %s", stats);
        for (final CachedFile handle : handles)
        {
            handle.close();
        }
        cache.close();
        for (final Cookie cookie : cookies)
        {
            cookie.relinquish(false);
        }
        engine.close();
    }

    /** One thread's buffers and pages. */
    @State(Scope.Thread)
    public static class Reader
    {
        final ByteBuffer small = AlignedBuffers.allocate(PAGE);
        final ByteBuffer large = AlignedBuffers.allocate(MIB);
        final CachePage page = new CachePage(0, AlignedBuffers.allocate(PAGE));
        final CachePage[] pages = new CachePage[PAGES_PER_MIB];
        final List<CachePage> list = new ArrayList<>(PAGES_PER_MIB);
        final List<CachePage> all = new ArrayList<>(PAGES_PER_MIB);
        final HitCompletions completions = new HitCompletions();
        final SplittableRandom random = new SplittableRandom(Thread.currentThread().getId());

        @Setup(Level.Trial)
        public void setup()
        {
            for (int i = 0; i < PAGES_PER_MIB; i++)
            {
                pages[i] = new CachePage(0, AlignedBuffers.allocate(PAGE));
            }
        }
    }

    /** {@code CachedFile.read} of a random cached 4 KiB page. */
    @Benchmark
    public int readThrough4k(final Reader reader) throws IOException
    {
        final CachedFile file = handles[reader.random.nextInt(files)];
        final long page = reader.random.nextInt(fileMiB * PAGES_PER_MIB);
        final ByteBuffer buffer = reader.small.clear();
        file.read(page * PAGE, buffer);
        return buffer.getInt(8);
    }

    /** {@code CachedFile.readFully} of a random cached, aligned 1 MiB. */
    @Benchmark
    public int readThrough1m(final Reader reader) throws IOException
    {
        final CachedFile file = handles[reader.random.nextInt(files)];
        final long mib = reader.random.nextInt(fileMiB);
        final ByteBuffer buffer = reader.large.clear();
        file.readFully(mib * MIB, buffer);
        return buffer.getInt(8);
    }

    /** The engine's page hit: {@code readOrAllocPage} of a random cached page, then {@code uncachePage}. */
    @Benchmark
    public int engine4k(final Reader reader)
    {
        final Cookie cookie = cookies[reader.random.nextInt(files)];
        final CachePage page = reader.page;
        page.setIndex(reader.random.nextInt(fileMiB * PAGES_PER_MIB));
        reader.completions.reset();
        final Result result = cookie.readOrAllocPage(page, HitCompletions.DONE, reader.completions);
        if (result != Result.OK)
        {
            cookie.uncachePage(page);
            throw new IllegalStateException("page " + page.index() + " was not a hit: " + result);
        }
        reader.completions.await(1);
        final int value = page.buffer().getInt(8);
        cookie.uncachePage(page);
        return value;
    }

    /** The engine's multi-page hit: {@code readOrAllocPages} of 256 cached pages (1 MiB), then uncaching them. */
    @Benchmark
    public int engine1m(final Reader reader)
    {
        return readEngine1m(reader, reader.random.nextInt(files), reader.random.nextInt(fileMiB));
    }

    private int readEngine1m(final Reader reader, final int file, final int mib)
    {
        final Cookie cookie = cookies[file];
        final long first = (long)mib * PAGES_PER_MIB;
        reader.list.clear();
        reader.all.clear();
        for (int i = 0; i < PAGES_PER_MIB; i++)
        {
            reader.pages[i].setIndex(first + i);
            reader.list.add(reader.pages[i]);
            reader.all.add(reader.pages[i]);
        }
        reader.completions.reset();
        final Result result = cookie.readOrAllocPages(reader.list, HitCompletions.DONE, reader.completions);
        if (result != Result.OK || !reader.list.isEmpty())
        {
            reader.completions.await(PAGES_PER_MIB - reader.list.size());
            cookie.uncachePages(reader.all);
            throw new IllegalStateException("pages from " + first + " were not all hits: " + result);
        }
        reader.completions.await(PAGES_PER_MIB);
        final int value = reader.pages[0].buffer().getInt(8);
        cookie.uncachePages(reader.all);
        return value;
    }
}
