package org.cachefs.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.cachefs.cachefs.MountOptions;
import org.cachefs.cachefs.StoreSnapshot;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.Result;
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
 * Cache hits through the public netfs API. The trial formats an image, mounts it, registers a netfs, acquires a data
 * cookie per file and writes every page of every file once (read_or_alloc miss, write, wait, uncache; one file at a
 * time unless {@code fillThreads} says otherwise), then commits.
 * Each thread reuses its page objects and aligned buffers. After each read the page is uncached, as a netfs does
 * before it reads the same page object again.
 * <p>
 * A page may be in one call at a time (a netfs holds the page lock across the read), so the threads share the pages
 * out: with {@code T} threads, thread {@code i} reads the pages whose global number is {@code i} modulo {@code T},
 * and the aligned 32-page runs whose number is {@code i} modulo {@code T}. Every thread still reads at random over
 * the whole cached data.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PageReadBenchmark
{
    /** Pages per multi-page read. */
    public static final int RUN = 32;
    /** Pages per 1 MiB read. */
    public static final int WIDE = 256;

    /** Size of the cache image in MiB. */
    @Param("1024")
    public int imageMiB;

    /** Data files (cookies). */
    @Param("8")
    public int files;

    /** Pages per file (4096 = 16 MiB). */
    @Param("4096")
    public int filePages;

    /** Threads of the FS-Cache operation pool. */
    @Param("2")
    public int poolThreads;

    /**
     * Netfs threads filling the files during setup, each file by one thread. With 1 each file's pages lie in order
     * on disk; files filled at the same time interleave their blocks, and fewer adjacent blocks merge in
     * {@link #readPages32}.
     */
    @Param("1")
    public int fillThreads;

    /**
     * The RAM tier's size in MiB ({@code MountOptions.ramTierBytes}): 0 (the default) measures device hits; 256
     * holds all 128 MiB of the default data, so that every hit after the first read of a page is a RAM hit.
     */
    @Param("0")
    public int ramTierMiB;

    CacheSetup cache;
    Cookie[] cookies;
    int totalPages;
    private final SplittableRandom seeds = new SplittableRandom(7);

    @Setup(Level.Trial)
    public void setup() throws IOException
    {
        if (filePages < RUN || filePages % RUN != 0)
        {
            throw new IllegalArgumentException("filePages must be a multiple of " + RUN + ": " + filePages);
        }
        final long start = System.nanoTime();
        final Path image = BenchFiles.writtenFile("read-" + imageMiB + "m.img", (long)imageMiB << 20);
        cache = CacheSetup.format(image, poolThreads,
            MountOptions.defaults().withRamTierBytes((long)ramTierMiB << 20));
        cookies = new Cookie[files];
        for (int f = 0; f < files; f++)
        {
            cookies[f] = cache.acquire("file-" + f);
        }
        totalPages = files * filePages;
        CacheSetup.fillAll(cookies, filePages, fillThreads);
        cache.awaitIdle();
        cache.backend.commit();
        final StoreSnapshot snapshot = cache.backend.snapshot();
        if (snapshot.pages() < totalPages)
        {
            throw new IllegalStateException("the cache holds " + snapshot.pages() + " pages, expected " +
                totalPages);
        }
        BenchFiles.log("PageReadBenchmark: %d files x %d pages cached in %.1f s (image %s, %d MiB)", files,
            filePages, (System.nanoTime() - start) / 1e9, image.getFileName(), imageMiB);
        if (ramTierMiB > 0)
        {
            warmRamTier();
        }
    }

    /**
     * Reads every page in order until the RAM tier takes no more (at most 4 passes), so that the measured reads are
     * RAM-tier hits from the first iteration on: filled at device speed by random reads, a tier of 32,768 pages would
     * take many seconds of the measurement.
     */
    private void warmRamTier()
    {
        final long start = System.nanoTime();
        final HitCompletions completions = new HitCompletions();
        final CachePage page = new CachePage(0, AlignedBuffers.allocate(CacheSetup.PAGE_SIZE));
        long held = 0;
        for (int pass = 0; pass < 4; pass++)
        {
            for (final Cookie cookie : cookies)
            {
                for (int index = 0; index < filePages; index++)
                {
                    page.setIndex(index);
                    completions.reset();
                    if (cookie.readOrAllocPage(page, HitCompletions.DONE, completions) != Result.OK)
                    {
                        cookie.uncachePage(page);
                        throw new IllegalStateException("page " + index + " was not a hit while warming the RAM tier");
                    }
                    completions.await(1);
                    cookie.uncachePage(page);
                }
            }
            final long now = cache.backend.usage().get("ramTierPages");
            if (now == held)
            {
                break;
            }
            held = now;
        }
        BenchFiles.log("PageReadBenchmark: RAM tier holds %d of %d pages after warming in %.1f s", held, totalPages,
            (System.nanoTime() - start) / 1e9);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        if (cache.backend.checksumMismatches() > 0)
        {
            BenchFiles.log("PageReadBenchmark: %d checksum mismatches", cache.backend.checksumMismatches());
        }
        for (final Cookie cookie : cookies)
        {
            cookie.relinquish(false);
        }
        cache.close();
    }

    synchronized SplittableRandom newRandom()
    {
        return seeds.split();
    }

    /**
     * One thread's pages: for single-page reads one buffer shared by a page object per page index; for 32-page
     * reads 32 buffers, page {@code i} using buffer {@code i % 32}, so any 32 contiguous pages have distinct buffers.
     * (Page objects exist for every page, the thread's share of them is used.)
     */
    @State(Scope.Thread)
    public static class Reader
    {
        CachePage[] single;
        CachePage[] multi;
        /** Pages cut from one 1 MiB buffer, indexes set before each read. */
        CachePage[] wide;
        int ownWide;
        final List<CachePage> batch = new ArrayList<>(WIDE);
        final HitCompletions completions = new HitCompletions();
        SplittableRandom random;

        int thread;
        int threads;
        int ownPages;
        int ownRuns;

        @Setup(Level.Trial)
        public void setup(final PageReadBenchmark b, final ThreadParams params)
        {
            random = b.newRandom();
            thread = params.getThreadIndex();
            threads = params.getThreadCount();
            ownPages = (b.totalPages - thread + threads - 1) / threads;
            final int runs = b.totalPages / RUN;
            ownRuns = (runs - thread + threads - 1) / threads;
            if (ownPages < 1 || ownRuns < 1)
            {
                throw new IllegalArgumentException(threads + " threads need at least " + threads * RUN +
                    " cached pages (files x filePages)");
            }
            ownWide = (b.totalPages / WIDE - thread + threads - 1) / threads;
            wide = CachePage.slicesOf(AlignedBuffers.allocate(WIDE * CacheSetup.PAGE_SIZE), CacheSetup.PAGE_SIZE);
            final ByteBuffer one = AlignedBuffers.allocate(CacheSetup.PAGE_SIZE);
            final ByteBuffer[] run = new ByteBuffer[RUN];
            for (int i = 0; i < RUN; i++)
            {
                run[i] = AlignedBuffers.allocate(CacheSetup.PAGE_SIZE);
            }
            single = new CachePage[b.totalPages];
            multi = new CachePage[b.totalPages];
            for (int g = 0; g < b.totalPages; g++)
            {
                final long index = g % b.filePages;
                single[g] = new CachePage(index, one);
                multi[g] = new CachePage(index, run[(int)(index % RUN)]);
            }
        }
    }

    /** read_or_alloc_page of one random cached page, then uncache_page. */
    @Benchmark
    public int readPage(final Reader reader)
    {
        final int g = reader.random.nextInt(reader.ownPages) * reader.threads + reader.thread;
        final Cookie cookie = cookies[g / filePages];
        final CachePage page = reader.single[g];
        reader.completions.reset();
        final Result result = cookie.readOrAllocPage(page, HitCompletions.DONE, reader.completions);
        if (result != Result.OK)
        {
            cookie.uncachePage(page);
            throw new IllegalStateException("page " + page.index() + " of file " + g / filePages +
                " was not a hit: " + result);
        }
        reader.completions.await(1);
        final int value = page.buffer().getInt(8);
        cookie.uncachePage(page);
        return value;
    }

    /** read_or_alloc_pages of 32 contiguous cached pages (a random aligned run), then uncache_page of each. */
    @Benchmark
    public int readPages32(final Reader reader)
    {
        final int first = (reader.random.nextInt(reader.ownRuns) * reader.threads + reader.thread) * RUN;
        final int file = first / filePages;
        final Cookie cookie = cookies[file];
        final List<CachePage> batch = reader.batch;
        batch.clear();
        for (int i = 0; i < RUN; i++)
        {
            batch.add(reader.multi[first + i]);
        }
        reader.completions.reset();
        final Result result = cookie.readOrAllocPages(batch, HitCompletions.DONE, reader.completions);
        if (result != Result.OK || !batch.isEmpty())
        {
            reader.completions.await(RUN - batch.size());
            uncache(cookie, reader.multi, first);
            throw new IllegalStateException("pages " + (first % filePages) + ".." + (first % filePages + RUN - 1) +
                " of file " + file + " were not all hits: " + result + ", " + batch.size() + " left");
        }
        reader.completions.await(RUN);
        final int value = reader.multi[first].buffer().getInt(8);
        uncache(cookie, reader.multi, first);
        return value;
    }

    /**
     * read_or_alloc_pages of 256 contiguous cached pages (a random 1 MiB-aligned run) into one 1 MiB buffer, then
     * uncache_page of each. Needs {@code filePages} a multiple of 256 and 256 pages per thread.
     */
    @Benchmark
    public int readPages256(final Reader reader)
    {
        if (reader.ownWide < 1 || filePages % WIDE != 0)
        {
            throw new IllegalArgumentException("readPages256 needs filePages a multiple of " + WIDE + " and " + WIDE +
                " cached pages per thread");
        }
        final int first = (reader.random.nextInt(reader.ownWide) * reader.threads + reader.thread) * WIDE;
        final int file = first / filePages;
        final Cookie cookie = cookies[file];
        final List<CachePage> batch = reader.batch;
        batch.clear();
        for (int i = 0; i < WIDE; i++)
        {
            final CachePage page = reader.wide[i];
            page.setIndex(first % filePages + i);
            batch.add(page);
        }
        reader.completions.reset();
        final Result result = cookie.readOrAllocPages(batch, HitCompletions.DONE, reader.completions);
        if (result != Result.OK || !batch.isEmpty())
        {
            reader.completions.await(WIDE - batch.size());
            uncache(cookie, reader.wide, 0, WIDE);
            throw new IllegalStateException("pages " + (first % filePages) + ".." + (first % filePages + WIDE - 1) +
                " of file " + file + " were not all hits: " + result + ", " + batch.size() + " left");
        }
        reader.completions.await(WIDE);
        final int value = reader.wide[0].buffer().getInt(8);
        uncache(cookie, reader.wide, 0, WIDE);
        return value;
    }

    private static void uncache(final Cookie cookie, final CachePage[] pages, final int first, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            cookie.uncachePage(pages[first + i]);
        }
    }

    private static void uncache(final Cookie cookie, final CachePage[] pages, final int first)
    {
        for (int i = 0; i < RUN; i++)
        {
            cookie.uncachePage(pages[first + i]);
        }
    }
}
