package org.cachefs.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.cachefs.fscache.ReadCompletion;
import org.cachefs.fscache.Result;

/**
 * The read completions of one benchmark thread's cache hits: counted, and checked to be OK.
 * <p>
 * Threading: one benchmark thread; completions may come from another.
 */
final class HitCompletions
{
    /** The completion of every read; its context is the thread's {@code HitCompletions}. */
    static final ReadCompletion<HitCompletions> DONE = (page, completions, result) ->
    {
        if (result != Result.OK)
        {
            completions.failures.incrementAndGet();
        }
        completions.completed.incrementAndGet();
    };

    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();

    void reset()
    {
        completed.set(0);
    }

    /**
     * CacheFS completes hits before the call returns, so this normally only checks; it waits in case a read was
     * handed to another thread.
     */
    void await(final int expected)
    {
        if (completed.get() < expected)
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (completed.get() < expected)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("reads not completed after 30 s: " + completed.get() + " of " +
                        expected);
                }
                Thread.onSpinWait();
            }
        }
        if (failures.get() != 0)
        {
            throw new IllegalStateException(failures.getAndSet(0) + " read(s) completed with an error");
        }
    }
}
