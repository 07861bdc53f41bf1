package org.cachefs.cachefs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.CookieDefinition;
import org.cachefs.fscache.FsCache;
import org.cachefs.fscache.FsCacheOptions;
import org.cachefs.fscache.ReadCompletion;
import org.cachefs.fscache.Result;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many threads make random netfs calls on shared and private cookies of a CacheFS cache while another thread
 * withdraws the cache (or unmounts it under them): no deadlock (every thread ends within a bound), no lost or
 * repeated read completion, no page read that differs from what was written.
 */
class WithdrawStressTest
{
    private static final long SEED = Long.getLong("cachefs.test.seed", 99L);
    private static final int THREADS = 6;
    private static final int PAGES = 64;

    @TempDir
    Path dir;

    private static final CookieDefinition<String> INDEX = Definitions.INDEX;
    private static final CookieDefinition<String> FILE = Definitions.file(0);

    /** Page contents: the file, the page and a version, repeated, so any version can be checked. */
    static void fill(final ByteBuffer buffer, final String file, final long page, final long version)
    {
        final long seed = file.hashCode() * 31L + page;
        for (int i = 0; i < 4096; i += 16)
        {
            buffer.putLong(i, seed);
            buffer.putLong(i + 8, version);
        }
    }

    static boolean valid(final ByteBuffer buffer, final String file, final long page)
    {
        final long seed = file.hashCode() * 31L + page;
        final long version = buffer.getLong(8);
        for (int i = 0; i < 4096; i += 16)
        {
            if (buffer.getLong(i) != seed || buffer.getLong(i + 8) != version)
            {
                return false;
            }
        }
        return true;
    }

    private static final class Counting implements ReadCompletion<Object>
    {
        final AtomicLong completions = new AtomicLong();
        final AtomicLong wrong = new AtomicLong();

        @Override
        public void readComplete(final CachePage page, final Object file, final Result result)
        {
            completions.incrementAndGet();
            if (result == Result.OK && !valid(page.buffer(), (String)file, page.index()))
            {
                wrong.incrementAndGet();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "withdraw", "unmount" })
    void randomCallsRaceAWithdrawal(final String how) throws Exception
    {
        final Path image = dir.resolve("cache.img");
        Mkfs.format(image, MkfsOptions.defaults().withSize(32L << 20), null);
        final CacheFsBackend backend = CacheFs.mount(image, MountOptions.defaults().withCommitIntervalSeconds(1));
        final FsCache fsCache = FsCache.create(FsCacheOptions.builder().jmx(false).threadCount(3)
            .withdrawTimeout(Duration.ofSeconds(30)).errorHandler(t -> { }).build());
        fsCache.addCache(backend, "stress");
        final Cookie volume = fsCache.registerNetfs("stressfs", 1).primaryIndex().acquire(INDEX, "volume");
        final Counting reads = new Counting();
        final AtomicLong dispatched = new AtomicLong();
        final AtomicLong calls = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final CountDownLatch started = new CountDownLatch(THREADS);
        final ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        final List<Future<?>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++)
        {
            final long seed = SEED + t;
            final int thread = t;
            tasks.add(threads.submit(() ->
            {
                final SplittableRandom random = new SplittableRandom(seed);
                long version = seed << 32;
                started.countDown();
                while (!stop.get())
                {
                    final String name = random.nextBoolean() ? "shared-" + random.nextInt(2) : "private-" + thread;
                    final Cookie file = volume.acquire(FILE, name);
                    for (int op = 0; op < 16; op++)
                    {
                        final CachePage page = new CachePage(random.nextInt(PAGES), AlignedBuffers.allocate(4096));
                        calls.incrementAndGet();
                        final Result result = file.readOrAllocPage(page, reads, name);
                        if (result == Result.OK)
                        {
                            dispatched.incrementAndGet();
                        }
                        else if (result == Result.NO_DATA)
                        {
                            fill(page.buffer(), name, page.index(), ++version);
                            file.writePage(page);
                            if (random.nextBoolean())
                            {
                                file.waitOnPageWrite(page, 10, TimeUnit.SECONDS);
                            }
                        }
                        if (page.isFsCache())
                        {
                            if (!file.maybeReleasePage(page))
                            {
                                file.waitOnPageWrite(page, 10, TimeUnit.SECONDS);
                                file.uncachePage(page);
                            }
                        }
                    }
                    file.relinquish(random.nextInt(50) == 0 && name.startsWith("private"));
                }
                return null;
            }));
        }
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        // Let the workload run for a second, then pull the cache from under it.
        new CountDownLatch(1).await(1, TimeUnit.SECONDS);
        if (how.equals("withdraw"))
        {
            fsCache.withdrawCache("stress");
        }
        else
        {
            backend.close();
        }
        new CountDownLatch(1).await(500, TimeUnit.MILLISECONDS);
        stop.set(true);
        threads.shutdown();
        assertThat(threads.awaitTermination(60, TimeUnit.SECONDS)).as("workload threads ended").isTrue();
        for (final Future<?> task : tasks)
        {
            task.get();
        }
        assertThat(fsCache.awaitIdle(30, TimeUnit.SECONDS)).isTrue();
        volume.relinquish(false);
        fsCache.close();
        backend.close();
        System.out.printf("stress %s seed=%d: %d calls, %d reads dispatched, %d completions, %d wrong%n", how, SEED,
            calls.get(), dispatched.get(), reads.completions.get(), reads.wrong.get());
        assertThat(reads.completions.get()).as("one completion per dispatched read").isEqualTo(dispatched.get());
        assertThat(reads.wrong.get()).as("wrong pages").isZero();
        assertThat(calls.get()).isGreaterThan(100);

        // What was committed reads back right.
        try (CacheFsBackend again = CacheFs.mount(image, MountOptions.defaults()))
        {
            final CacheStore store = again.store();
            final ObjectRecord netfs = store.lookup(0, "stressfs".getBytes());
            final ObjectRecord index = store.lookup(netfs.objectId, "volume".getBytes());
            final ByteBuffer buffer = AlignedBuffers.allocate(4096);
            for (final ObjectRecord file : store.children(index.objectId))
            {
                final String name = new String(file.key, StandardCharsets.UTF_8);
                for (int p = 0; p < PAGES; p++)
                {
                    if (store.read(file, p, buffer.clear()) == CacheStore.READ_HIT)
                    {
                        assertThat(valid(buffer, name, p)).as("%s page %d after remount", name, p).isTrue();
                    }
                }
            }
            store.release(index);
            store.release(netfs);
        }
    }
}
