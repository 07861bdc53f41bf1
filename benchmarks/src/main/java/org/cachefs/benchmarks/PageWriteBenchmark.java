package org.cachefs.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.cachefs.cachefs.MountOptions;
import org.cachefs.cachefs.StoreSnapshot;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.ReadCompletion;
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

/**
 * Cache fill through the public netfs API: one operation is one 4 KiB page going into the cache, as a netfs stores a
 * page it fetched: read_or_alloc_page (a miss, which sets a block aside), write_page, then wait_on_page_write and
 * uncache_page. With {@code window} above 1 a thread keeps that many writes in flight and waits for the oldest
 * before reusing its buffer.
 * <p>
 * Every page is a miss: each thread writes files of its own, fresh in each iteration (named from a counter), of
 * {@value #FILE_PAGES} pages (256 MiB) each, in order or in a random permutation, then starts the next file. After
 * each iteration the files written are retired and the cache commits, so their blocks serve the next iterations;
 * the image must hold what one iteration writes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PageWriteBenchmark
{
    /** Pages per file written: 2^16 (256 MiB). */
    public static final int FILE_PAGES = 1 << 16;

    /** Size of the cache image in MiB. */
    @Param("8192")
    public int imageMiB;

    /** Threads of the FS-Cache operation pool (they run the writes). */
    @Param("2")
    public int poolThreads;

    /**
     * Threads writing full write runs to the device ({@code MountOptions.writeThreads}): how many run writes are in
     * flight at most. 0 (the default) takes the mount's default.
     */
    @Param("0")
    public int writeThreads;

    /**
     * Writes each benchmark thread keeps in flight: 32 by default, a 128 KiB readahead's worth, as a netfs that does
     * not wait for the cache to store one page before it fetches the next (1: wait for each page's write).
     */
    @Param("32")
    public int window;

    CacheSetup cache;
    final AtomicLong files = new AtomicLong();
    final AtomicLong pagesWritten = new AtomicLong();

    @Setup(Level.Trial)
    public void setup() throws IOException
    {
        if (window < 1)
        {
            throw new IllegalArgumentException("window must be >= 1: " + window);
        }
        final Path image = BenchFiles.writtenFile("write-" + imageMiB + "m.img", (long)imageMiB << 20);
        final MountOptions options = writeThreads > 0 ?
            MountOptions.defaults().withWriteThreads(writeThreads) : MountOptions.defaults();
        cache = CacheSetup.format(image, poolThreads, options);
    }

    /**
     * Makes the blocks of the files retired after the previous iteration allocatable again (outside the
     * measurement): waits for the retirements, then commits twice.
     */
    @Setup(Level.Iteration)
    public void reclaim() throws IOException
    {
        cache.awaitIdle();
        cache.backend.commit();
        cache.backend.commit();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        cache.awaitIdle();
        final StoreSnapshot snapshot = cache.backend.snapshot();
        final java.util.Map<String, Long> usage = cache.backend.usage();
        BenchFiles.log("PageWriteBenchmark: %d pages written in %d files; image %d MiB, %d of %d data blocks in use " +
            "at the end; %d commits, %d node reads, %d node writes, %d pages stored by %d run writes; the store's " +
            "lock waited %d times, %.3f s in all; commits took %.1f ms at the median, %.1f ms at most",
            pagesWritten.get(), files.get(), imageMiB, snapshot.usedDataBlocks(), snapshot.dataBlocks(),
            snapshot.generation(), snapshot.nodeReads(), snapshot.nodeWrites(), usage.get("pageWrites"),
            usage.get("runWrites"), usage.get("storeLockWaits"), usage.get("storeLockWaitNanos") / 1e9,
            usage.get("commitLatencyP50Nanos") / 1e6, usage.get("commitLatencyMaxNanos") / 1e6);
        cache.close();
    }

    private static final ReadCompletion<Object> UNEXPECTED_HIT = (page, context, result) ->
    {
    };

    /**
     * One thread's current file, the files it wrote in this iteration, and its pages in flight.
     */
    @State(Scope.Thread)
    public static class Writer
    {
        PageWriteBenchmark bench;
        final List<Cookie> written = new ArrayList<>();
        Cookie cookie;
        int next = FILE_PAGES;
        int salt;
        long count;
        ByteBuffer[] buffers;
        CachePage[] inFlight;

        @Setup(Level.Trial)
        public void allocate(final PageWriteBenchmark b)
        {
            bench = b;
            buffers = new ByteBuffer[b.window];
            inFlight = new CachePage[b.window];
            for (int i = 0; i < b.window; i++)
            {
                buffers[i] = AlignedBuffers.allocate(CacheSetup.PAGE_SIZE);
                Pages.pattern(buffers[i], System.identityHashCode(this) * 31L + i);
            }
        }

        /** Waits for the writes in flight and retires this iteration's files. */
        @TearDown(Level.Iteration)
        public void retire()
        {
            drain();
            for (final Cookie c : written)
            {
                c.relinquish(true);
            }
            written.clear();
            cookie = null;
            next = FILE_PAGES;
            bench.pagesWritten.addAndGet(count);
            count = 0;
        }

        private void drain()
        {
            for (int i = 0; i < inFlight.length; i++)
            {
                final CachePage page = inFlight[i];
                if (page != null)
                {
                    cookie.waitOnPageWrite(page);
                    cookie.uncachePage(page);
                    inFlight[i] = null;
                }
            }
        }

        /** The next page index of the current file (a new file when it is full). */
        int nextIndex(final boolean random)
        {
            if (next == FILE_PAGES)
            {
                drain();
                final long id = bench.files.incrementAndGet();
                cookie = bench.cache.acquire("fill-" + id);
                written.add(cookie);
                next = 0;
                salt = (int)(id * 0x61C88647L) & 0xFFFF;
            }
            final int n = next++;
            return random ? Pages.permute16(n, salt) : n;
        }

        void store(final int index)
        {
            final int slot = (int)(count++ % inFlight.length);
            final Cookie c = cookie;
            if (inFlight[slot] != null)
            {
                c.waitOnPageWrite(inFlight[slot]);
                c.uncachePage(inFlight[slot]);
                inFlight[slot] = null;
            }
            final CachePage page = new CachePage(index, buffers[slot]);
            Pages.stamp(page.buffer(), salt, index);
            final Result result = c.readOrAllocPage(page, UNEXPECTED_HIT, null);
            if (result != Result.NO_DATA)
            {
                c.uncachePage(page);
                throw new IllegalStateException("read_or_alloc of new page " + index + " gave " + result +
                    (result == Result.NO_BUFS ? ": the image is full; raise -p imageMiB" : ""));
            }
            final Result write = c.writePage(page);
            if (write != Result.OK)
            {
                c.uncachePage(page);
                throw new IllegalStateException("write_page of page " + index + " gave " + write);
            }
            if (inFlight.length == 1)
            {
                c.waitOnPageWrite(page);
                c.uncachePage(page);
            }
            else
            {
                inFlight[slot] = page;
            }
        }
    }

    /** Fill of fresh pages in a random order (a permutation of each file's pages). */
    @Benchmark
    public void fillRandom(final Writer writer)
    {
        writer.store(writer.nextIndex(true));
    }

    /** Fill of fresh pages in order. */
    @Benchmark
    public void fillSequential(final Writer writer)
    {
        writer.store(writer.nextIndex(false));
    }
}
