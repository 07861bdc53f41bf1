package org.cachefs.cachefs;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.device.AlignedBuffers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Readers share the store while writers rewrite the same pages and commits run: every page a reader gets is a
 * version some writer wrote of that page (each version's bytes are a function of page and version, so a reader can
 * check any of them), never a mix and never another page's bytes. A small node cache forces both the shared and the
 * exclusive lookup paths.
 */
class CacheStoreConcurrencyTest
{
    private static final int PAGES = 512;
    private static final long SEED = Long.getLong("cachefs.test.seed", 42L);

    @TempDir
    Path dir;

    static void fill(final ByteBuffer page, final long pageIndex, final long version)
    {
        final SplittableRandom random = new SplittableRandom(pageIndex * 1_000_003L + version);
        page.clear();
        page.putLong(0, pageIndex);
        page.putLong(8, version);
        for (int i = 16; i < 4096; i += 8)
        {
            page.putLong(i, random.nextLong());
        }
    }

    static boolean isVersionOf(final ByteBuffer page, final long pageIndex, final ByteBuffer scratch)
    {
        if (page.getLong(0) != pageIndex)
        {
            return false;
        }
        fill(scratch, pageIndex, page.getLong(8));
        return scratch.clear().equals(page.clear());
    }

    @Test
    void readersSeeOnlyWrittenVersionsWhileWritersAndCommitsRun() throws Exception
    {
        final Path image = dir.resolve("cache.img");
        Mkfs.format(image, MkfsOptions.defaults().withSize(64L << 20), null);
        final MountOptions options = MountOptions.defaults().withCommitIntervalSeconds(0).withNodeCacheSize(16);
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong reads = new AtomicLong();
        final AtomicLong hits = new AtomicLong();
        final AtomicLong writes = new AtomicLong();
        final AtomicLong wrong = new AtomicLong();
        final java.util.concurrent.CountDownLatch firstWrong = new java.util.concurrent.CountDownLatch(1);
        try (CacheStore store = CacheStore.mount(image, options))
        {
            final ObjectRecord record = store.create(0, "file".getBytes(), 1, new byte[0], CacheStore.UNLIMITED);
            final ByteBuffer first = AlignedBuffers.allocate(4096);
            for (int p = 0; p < PAGES; p++)
            {
                fill(first, p, 0);
                store.write(record, p, first);
            }
            store.commit();
            final ExecutorService threads = Executors.newFixedThreadPool(6);
            final List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++)
            {
                final long seed = SEED + t;
                tasks.add(threads.submit(() ->
                {
                    final SplittableRandom random = new SplittableRandom(seed);
                    final ByteBuffer page = AlignedBuffers.allocate(4096);
                    final ByteBuffer scratch = ByteBuffer.allocate(4096).order(page.order());
                    while (!stop.get())
                    {
                        final int p = random.nextInt(PAGES);
                        page.clear();
                        final int result = store.read(record, p, page);
                        reads.incrementAndGet();
                        if (result == CacheStore.READ_HIT)
                        {
                            hits.incrementAndGet();
                            if (!isVersionOf(page, p, scratch))
                            {
                                wrong.incrementAndGet();
                                firstWrong.countDown();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (int t = 0; t < 2; t++)
            {
                final long seed = SEED + 100 + t;
                tasks.add(threads.submit(() ->
                {
                    final SplittableRandom random = new SplittableRandom(seed);
                    final ByteBuffer page = AlignedBuffers.allocate(4096);
                    long version = seed * 1_000_000;
                    while (!stop.get())
                    {
                        final int p = random.nextInt(PAGES);
                        fill(page, p, ++version);
                        store.write(record, p, page);
                        if (writes.incrementAndGet() % 200 == 0)
                        {
                            store.commit();
                        }
                    }
                    return null;
                }));
            }
            // Run for three seconds, or until a reader sees a wrong page.
            firstWrong.await(3, TimeUnit.SECONDS);
            stop.set(true);
            threads.shutdown();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).as("threads stopped").isTrue();
            for (final Future<?> task : tasks)
            {
                task.get();
            }
            store.release(record);
        }
        System.out.printf("concurrency seed=%d: %d reads (%d hits), %d writes, %d wrong%n", SEED, reads.get(),
            hits.get(), writes.get(), wrong.get());
        assertThat(wrong.get()).as("pages read that no writer wrote (seed %d)", SEED).isZero();
        assertThat(hits.get()).isGreaterThan(0);
        assertThat(writes.get()).isGreaterThan(0);
    }

    /** Sets blocks aside on a fresh 2 MiB image with {@code threads} threads until refused; returns how many. */
    private long reserveUntilFull(final Path image, final int threads) throws Exception
    {
        Mkfs.format(image, MkfsOptions.defaults().withSize(2L << 20), null);
        final MountOptions options = MountOptions.defaults().withCommitIntervalSeconds(0)
            .withBackgroundCulling(false);
        try (CacheStore store = CacheStore.mount(image, options))
        {
            final ObjectRecord record = store.create(0, "file".getBytes(), 1, new byte[0], 1L << 30);
            final ExecutorService pool = Executors.newFixedThreadPool(threads);
            try
            {
                final List<Future<Long>> counts = new ArrayList<>();
                final java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
                for (int t = 0; t < threads; t++)
                {
                    final long first = t * 1_000_000L;
                    counts.add(pool.submit(() ->
                    {
                        start.await();
                        long reserved = 0;
                        while (store.reservePage(record, first + reserved))
                        {
                            reserved++;
                        }
                        return reserved;
                    }));
                }
                long total = 0;
                for (final Future<Long> count : counts)
                {
                    total += count.get(30, TimeUnit.SECONDS);
                }
                assertThat(store.pendingPages()).isEqualTo(total);
                store.releasePages(total);
                assertThat(store.pendingPages()).isZero();
                store.release(record);
                return total;
            }
            finally
            {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void threadsSettingBlocksAsideAtOnceGetExactlyWhatOneThreadGets() throws Exception
    {
        final long alone = reserveUntilFull(dir.resolve("one.img"), 1);
        assertThat(alone).as("a 2 MiB image has room for some pages").isPositive();
        for (int round = 0; round < 5; round++)
        {
            assertThat(reserveUntilFull(dir.resolve("four-" + round + ".img"), 4)).as("round %d", round)
                .isEqualTo(alone);
        }
    }
}
