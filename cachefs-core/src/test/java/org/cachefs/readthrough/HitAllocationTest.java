package org.cachefs.readthrough;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads of cached pages allocate nothing per read on the reading thread: one thread, and four threads each reading
 * its own file, counted by the JVM's per-thread allocation counter over 12,240 reads after a warm-up (fewer than 0.1
 * byte per read; the benchmarks give the exact figure). Threads reading the same file at once may queue on its
 * cookie's lock, and a thread that queues on a {@code ReentrantLock} allocates a queue node: the benchmarks report it.
 */
class HitAllocationTest
{
    @TempDir
    Path dir;

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 4})
    void readsOfCachedPagesAllocateNothing(final int threads) throws Exception
    {
        final TestOrigin origin = new TestOrigin();
        for (int t = 0; t < threads; t++)
        {
            origin.put("/hot/" + t, 8 << 20, "v1");
        }
        try (ReadThroughCache cache = ReadThroughCache.open(origin, ReadThroughOptions.builder()
                .image(dir.resolve("c.img"), 64L << 20).jmx(false)
                // No periodic commit: a reader that meets one queues on the store's lock, which allocates a node.
                .mountOptions(org.cachefs.cachefs.MountOptions.defaults().withCommitIntervalSeconds(0)).build()))
        {
            final CachedFile[] files = new CachedFile[threads];
            for (int t = 0; t < threads; t++)
            {
                files[t] = cache.open("/hot/" + t);
                files[t].readFully(0, ByteBuffer.allocate(8 << 20));
            }
            assertThat(cache.awaitStored(20, TimeUnit.SECONDS)).isTrue();
            final AtomicLongArray allocated = new AtomicLongArray(threads);
            final CyclicBarrier barrier = new CyclicBarrier(threads);
            final List<Thread> workers = new ArrayList<>();
            final List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int id = t;
                final CachedFile file = files[t];
                final Thread worker = new Thread(() ->
                {
                    try
                    {
                        final com.sun.management.ThreadMXBean bean =
                            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
                        final ByteBuffer small = ByteBuffer.allocateDirect(4096);
                        final ByteBuffer large = ByteBuffer.allocateDirect(1 << 20);
                        final SplittableRandom random = new SplittableRandom(id);
                        for (int round = 0; round < 12; round++)
                        {
                            barrier.await(1, TimeUnit.MINUTES);
                            final long before = bean.getCurrentThreadAllocatedBytes();
                            for (int i = 0; i < 3000; i++)
                            {
                                small.clear();
                                file.readFully(random.nextInt((8 << 20) - 4096), small);
                                if (i % 50 == 0)
                                {
                                    large.clear();
                                    file.readFully(random.nextInt(7) << 20, large);
                                }
                            }
                            // The first rounds warm up (classes, compiled code, pools); the last four are measured.
                            if (round >= 8)
                            {
                                allocated.addAndGet(id, bean.getCurrentThreadAllocatedBytes() - before);
                            }
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failures.add(ex);
                    }
                });
                workers.add(worker);
                worker.start();
            }
            for (final Thread worker : workers)
            {
                worker.join(TimeUnit.MINUTES.toMillis(2));
            }
            assertThat(failures).isEmpty();
            System.out.println("bytes allocated per reading thread over 12,240 hits, " + threads + " thread(s): " +
                allocated);
            for (int t = 0; t < threads; t++)
            {
                // Nothing per read: a single allocated object per read would be 16 bytes or more, 195,840 bytes in
                // all. What remains is once-only work the JVM may still do this late: a recompiled method
                // re-materialising an object, a LongAdder making its cells the first time two threads collide.
                assertThat(allocated.get(t)).as("bytes allocated by thread %d", t).isLessThan(12_240 / 10);
            }
            assertThat(cache.stats().fallbacks()).isZero();
            for (final CachedFile file : files)
            {
                file.close();
            }
        }
    }
}
