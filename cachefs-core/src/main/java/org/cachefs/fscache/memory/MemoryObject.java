package org.cachefs.fscache.memory;

import org.cachefs.fscache.spi.CacheObject;
import org.cachefs.fscache.spi.ObjectContext;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The memory backend's cache object: its reference count ({@link #grab()}, {@link #put()}), the object lock of
 * {@link MemoryCacheBackend#lockObject}, the stored entry it is bound to (null before lookup and after it is
 * dropped), and its backend's page calls, which complete its queued reads.
 * <p>
 * Threading: {@link #refs} and {@link #objectLock} are thread-safe; {@link #entry} is guarded by the backend's lock.
 */
final class MemoryObject extends CacheObject
{
    final MemoryPageCalls pageCalls;
    final AtomicInteger refs = new AtomicInteger(1);
    final ReentrantLock objectLock = new ReentrantLock();
    MemoryEntry entry;

    MemoryObject(final ObjectContext context, final MemoryPageCalls pageCalls)
    {
        super(context);
        this.pageCalls = pageCalls;
    }

    /**
     * Take a reference unless the object is already destroyed.
     *
     * @return true if a reference was taken.
     */
    boolean grab()
    {
        int current;
        do
        {
            current = refs.get();
            if (current <= 0)
            {
                return false;
            }
        }
        while (!refs.compareAndSet(current, current + 1));

        return true;
    }

    /**
     * Drop a reference; the last one tells the cache the object is destroyed.
     *
     * @throws IllegalStateException if put more often than grabbed.
     */
    void put()
    {
        final int remaining = refs.decrementAndGet();
        if (remaining == 0)
        {
            cache().objectDestroyed();
        }
        else if (remaining < 0)
        {
            throw new IllegalStateException(this + " put more often than grabbed");
        }
    }
}
