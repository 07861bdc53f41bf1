package org.cachefs.fscache.memory;

import org.cachefs.fscache.spi.CacheObject;
import org.cachefs.fscache.spi.ObjectContext;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The memory backend's cache object: its reference count, the object lock of {@link MemoryCacheBackend#lockObject},
 * and the stored entry it is bound to (null before lookup and after it is dropped).
 * <p>
 * Threading: {@link #refs} and {@link #objectLock} are thread-safe; {@link #entry} is guarded by the backend's lock.
 */
final class MemoryObject extends CacheObject
{
    final MemoryCacheBackend backend;
    final AtomicInteger refs = new AtomicInteger(1);
    final ReentrantLock objectLock = new ReentrantLock();
    MemoryEntry entry;

    MemoryObject(final ObjectContext context, final MemoryCacheBackend backend)
    {
        super(context);
        this.backend = backend;
    }
}
