package org.cachefs.format.device;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BufferPoolTest
{
    private static final long TIMEOUT_SECONDS = 60;

    @Test
    void acquiresAlignedBuffersOfItsSize()
    {
        final BufferPool pool = new BufferPool(8192, 4096, 4);
        assertThat(pool.bufferSize()).isEqualTo(8192);
        final ByteBuffer buffer = pool.acquire();
        assertThat(buffer.capacity()).isEqualTo(8192);
        assertThat(buffer.position()).isZero();
        assertThat(buffer.limit()).isEqualTo(8192);
        assertThat(AlignedBuffers.isAligned(buffer, 4096)).isTrue();
        assertThat(pool.acquire()).isNotSameAs(buffer);
    }

    @Test
    void reusesReleasedBuffersCleared()
    {
        final BufferPool pool = new BufferPool(4096, 4096, 4);
        final ByteBuffer buffer = pool.acquire();
        buffer.position(100).limit(200);
        pool.release(buffer);
        final ByteBuffer again = pool.acquire();
        assertThat(again).isSameAs(buffer);
        assertThat(again.position()).isZero();
        assertThat(again.limit()).isEqualTo(4096);
    }

    @Test
    void handsOutTheBufferReleasedLastFirst()
    {
        final BufferPool pool = new BufferPool(4096, 4096, 4);
        final ByteBuffer a = pool.acquire();
        final ByteBuffer b = pool.acquire();
        pool.release(a);
        pool.release(b);
        assertThat(pool.acquire()).isSameAs(b);
        pool.release(b);
        assertThat(pool.acquire()).isSameAs(b);
        assertThat(pool.acquire()).isSameAs(a);
    }

    @Test
    void acquireAndReleaseAllocateNothing()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemorySupported()).as("thread allocation counting").isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);
        final BufferPool pool = new BufferPool(4096, 4096, 2);
        pool.release(pool.acquire());
        pool.release(pool.acquire());
        cycle(pool, 20_000);
        threads.getCurrentThreadAllocatedBytes();

        final long before = threads.getCurrentThreadAllocatedBytes();
        final long checksum = cycle(pool, 20_000);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(checksum).isEqualTo(20_000L * 4096);
        assertThat(allocated).as("bytes allocated by 20000 acquire-release pairs").isZero();
    }

    private static long cycle(final BufferPool pool, final int pairs)
    {
        long sum = 0;
        for (int i = 0; i < pairs; i++)
        {
            final ByteBuffer buffer = pool.acquire();
            sum += buffer.remaining();
            pool.release(buffer);
        }
        return sum;
    }

    private record Outcome(int clashes, int made)
    {
    }

    @Test
    void neverHandsOneBufferToTwoThreads() throws Exception
    {
        final int threadCount = 4;
        final int rounds = 20_000;
        final BufferPool pool = new BufferPool(4096, 4096, threadCount);
        final Set<ByteBuffer> prefilled = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < threadCount; i++)
        {
            prefilled.add(AlignedBuffers.allocate(4096));
        }
        prefilled.forEach(pool::release);
        final CyclicBarrier start = new CyclicBarrier(threadCount);
        final ExecutorService executor = Executors.newFixedThreadPool(threadCount);
        try
        {
            final List<Future<Outcome>> results = new ArrayList<>();
            for (int t = 0; t < threadCount; t++)
            {
                final long id = t;
                results.add(executor.submit(() ->
                {
                    start.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    int clashes = 0;
                    int made = 0;
                    for (int i = 0; i < rounds; i++)
                    {
                        final ByteBuffer buffer = pool.acquire();
                        if (!prefilled.contains(buffer))
                        {
                            made++;
                        }
                        final long mark = (id << 32) | i;
                        buffer.putLong(0, mark);
                        buffer.putLong(8, mark);
                        if (buffer.getLong(0) != mark || buffer.getLong(8) != mark)
                        {
                            clashes++;
                        }
                        pool.release(buffer);
                    }
                    return new Outcome(clashes, made);
                }));
            }
            for (final Future<Outcome> result : results)
            {
                // with as many free buffers as threads, every acquire finds one of them
                assertThat(result.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("buffers overwritten by another " +
                    "thread while held, buffers made").isEqualTo(new Outcome(0, 0));
            }
        }
        finally
        {
            executor.shutdownNow();
        }
        final Set<ByteBuffer> left = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < threadCount; i++)
        {
            left.add(pool.acquire());
        }
        assertThat(left).as("buffers in the pool at the end").isEqualTo(prefilled);
    }

    @Test
    void keepsAtMostItsCapacity()
    {
        final BufferPool pool = new BufferPool(4096, 4096, 2);
        final ByteBuffer a = pool.acquire();
        final ByteBuffer b = pool.acquire();
        final ByteBuffer c = pool.acquire();
        pool.release(a);
        pool.release(b);
        pool.release(c);
        assertThat(pool.acquire()).isSameAs(b);
        assertThat(pool.acquire()).isSameAs(a);
        final ByteBuffer fresh = pool.acquire();
        assertThat(fresh).isNotSameAs(c).isNotSameAs(a).isNotSameAs(b);
    }

    @Test
    void refusesBuffersOfAnotherSize()
    {
        final BufferPool pool = new BufferPool(4096, 4096, 2);
        assertThatThrownBy(() -> pool.release(AlignedBuffers.allocate(8192)))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("buffer of 8192 bytes released to a pool of 4096");
        assertThatThrownBy(() -> pool.release(ByteBuffer.allocate(100)))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("buffer of 100 bytes released to a pool of 4096");
    }

    @Test
    void refusesSizesThatAreNotWholeAlignments()
    {
        assertThatThrownBy(() -> new BufferPool(1000, 4096, 2)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("buffer size 1000 is not a positive multiple of 4096");
        assertThatThrownBy(() -> new BufferPool(0, 4096, 2)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("buffer size 0 is not a positive multiple of 4096");
        assertThatThrownBy(() -> new BufferPool(-4096, 4096, 2)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("buffer size -4096 is not a positive multiple of 4096");
    }

    @Test
    void refusesACapacityOfNoBuffers()
    {
        assertThatThrownBy(() -> new BufferPool(4096, 4096, 0)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("pool capacity 0 is not positive");
    }
}
