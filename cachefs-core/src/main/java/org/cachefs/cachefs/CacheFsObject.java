package org.cachefs.cachefs;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import org.cachefs.fscache.spi.CacheObject;
import org.cachefs.fscache.spi.ObjectContext;

/**
 * A CacheFS object: the core's {@link CacheObject} with the store's record of it, once looked up. The master index
 * object has no record; its id, 0, is the parent id of the netfs primary indices.
 * <p>
 * Threading: {@link #record} is set once by the lookup (on a pool thread) before {@code obtainedObject}, which
 * publishes it to the threads that later read and write pages; the reference count and lock are thread-safe.
 */
final class CacheFsObject extends CacheObject
{
    static final long MASTER_INDEX_ID = 0;

    final AtomicInteger references = new AtomicInteger(1);
    final ReentrantLock lock = new ReentrantLock();
    volatile ObjectRecord record;
    /** Pages allocated and neither written nor uncached yet: each holds a block set aside in the store. */
    final org.agrona.collections.LongHashSet pendingPages = new org.agrona.collections.LongHashSet();
    private final boolean masterIndex;

    CacheFsObject(final ObjectContext context, final boolean masterIndex)
    {
        super(context);
        this.masterIndex = masterIndex;
    }

    /**
     * @return the id children of this object are filed under, or -1 if it has not been looked up.
     */
    long objectId()
    {
        if (masterIndex)
        {
            return MASTER_INDEX_ID;
        }
        final ObjectRecord record = this.record;
        return record != null ? record.objectId : -1;
    }

    boolean isMasterIndex()
    {
        return masterIndex;
    }
}
