package org.cachefs.cachefs;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The store's access clock: unique, increasing access times in microseconds since the epoch, by which the culler
 * ranks objects and page ranges (least recently used first).
 * <p>
 * Threading: any thread, without the store lock (one atomic); hits read it without advancing it.
 */
final class AccessClock
{
    private final AtomicLong clock = new AtomicLong();

    /**
     * @return a unique, increasing access time in microseconds since the epoch.
     */
    long nextAccessTime()
    {
        final long now = System.currentTimeMillis() * 1000;
        long previous;
        long next;
        do
        {
            previous = clock.get();
            next = Math.max(now, previous + 1);
        }
        while (!clock.compareAndSet(previous, next));
        return next;
    }

    /**
     * Reads the clock rather than advance it: no contended update on the hit path.
     *
     * @return an access time no earlier than any handed out so far.
     */
    long readAccessTime()
    {
        return Math.max(System.currentTimeMillis() * 1000, clock.get());
    }
}
