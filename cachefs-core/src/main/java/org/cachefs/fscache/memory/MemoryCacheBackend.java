package org.cachefs.fscache.memory;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.spi.CacheBackend;
import org.cachefs.fscache.spi.CacheContext;
import org.cachefs.fscache.spi.CacheObject;
import org.cachefs.fscache.spi.ObjectContext;
import org.cachefs.fscache.spi.Retrieval;
import org.cachefs.fscache.spi.Storage;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-memory reference backend: a complete, simple cache that keeps its index tree and pages on the heap, for
 * testing a netfs against FS-Cache and as the model for other backends.
 * <ul>
 * <li>Capacity is counted in pages. A page uses one page of capacity from the moment a block is reserved for it
 * (read miss or allocation) until it is uncached unwritten, truncated, or its object is culled or retired. A
 * reservation ({@link #reserveSpace}) holds capacity for up to that many pages of the object.</li>
 * <li>When space is needed, unused (not bound to a live object), unpinned data objects are culled, least recently
 * used first; when nothing can be culled, allocation gives {@link Result#NO_BUFS} and reservation
 * {@link Result#NO_SPACE}.</li>
 * <li>Objects persist across relinquish without retirement and re-acquisition, and across withdrawal and re-adding
 * of the backend, for the backend's lifetime. Auxiliary data is stored with each object and checked on lookup;
 * an obsolete object is discarded with its data and children and created afresh.</li>
 * <li>Retirement removes an object and its whole subtree, pinned or not. The store limit follows
 * {@link #attrChanged}, which truncates pages beyond the size; the size is stored with the object and the store
 * limit restored from it when the object is found again.</li>
 * <li>Pinning marks an object never to be culled; it is refused with {@link Result#NO_SPACE} when the pages held by
 * pinned objects would exceed the pin limit (the capacity by default).</li>
 * <li>Fault injection for tests: {@link #failNextRead()}, {@link #failNextWrite()}, and holding reads
 * ({@link #holdReads()}) and writes ({@link #holdWrites()}) in flight.</li>
 * </ul>
 * The backend checks its settings, keeps its identity, allocates its objects and hands each call to the room doing
 * that job:
 * <ul>
 * <li>{@link MemoryStore}: the entry tree, the capacity accounting, culling, and whether the backend is
 * dissociated;</li>
 * <li>{@link MemoryObject}: an object's references and object lock;</li>
 * <li>{@link MemoryObjectCalls}: adding the backend to a cache, and lookup, pin, unpin, update, attribute change,
 * reservation and drop of objects;</li>
 * <li>{@link MemoryPageCalls}: page reads, allocations, writes and uncaching;</li>
 * <li>{@link MemoryFaults}: the injected failures and the reads and writes held in flight.</li>
 * </ul>
 * <h2>Threading</h2>
 * One lock, created here and shared by every room, guards the whole tree, the accounting and the fault-injection
 * state; page data arrays are immutable once stored. The lock is released before calling back into the core
 * ({@link Retrieval#endIo}, {@link Retrieval#markPagesCached}, lookup utilities), except in {@link #initCache}. Reads
 * complete on the calling thread, or on an FS-Cache pool thread through {@link Retrieval#enqueue()} when built with
 * {@link Builder#asyncReads(boolean)}. Object references ({@link #grabObject}, {@link #putObject}) and object locks
 * are per object and take no backend lock.
 */
public final class MemoryCacheBackend implements CacheBackend
{
    /** The provider name. */
    public static final String NAME = "memory";

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final String identifier;
    private final int pageSize;
    private final long capacityPages;

    private final ReentrantLock lock = new ReentrantLock();
    private final MemoryStore store;
    private final MemoryFaults faults;
    private final MemoryObjectCalls objectCalls;
    private final MemoryPageCalls pageCalls;

    /**
     * A backend of the given capacity with the default page size (4096).
     *
     * @param capacityPages the capacity in pages, {@code >= 1}.
     */
    public MemoryCacheBackend(final long capacityPages)
    {
        this(builder().capacityPages(capacityPages));
    }

    private MemoryCacheBackend(final Builder builder)
    {
        if (builder.capacityPages < 1)
        {
            throw new IllegalArgumentException("capacityPages must be >= 1: " + builder.capacityPages);
        }
        if (builder.pageSize < 512 || Integer.bitCount(builder.pageSize) != 1)
        {
            throw new IllegalArgumentException("pageSize must be a power of two >= 512: " + builder.pageSize);
        }
        if (builder.pinLimitPages < 0)
        {
            throw new IllegalArgumentException("pinLimitPages must be >= 0: " + builder.pinLimitPages);
        }

        identifier = null != builder.identifier ? builder.identifier : NAME + "-" + INSTANCES.incrementAndGet();
        pageSize = builder.pageSize;
        capacityPages = builder.capacityPages;
        store = new MemoryStore(
            capacityPages, builder.pinLimitPages == Long.MAX_VALUE ? capacityPages : builder.pinLimitPages);
        faults = new MemoryFaults(lock, store);
        objectCalls = new MemoryObjectCalls(lock, store, identifier, pageSize);
        pageCalls = new MemoryPageCalls(lock, store, faults, pageSize, builder.asyncReads);
    }

    /**
     * A builder with capacity 1024 pages, page size 4096, pin limit = capacity, synchronous reads.
     *
     * @return a new builder.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Inspection and fault injection.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * The capacity.
     *
     * @return pages.
     */
    public long capacityPages()
    {
        return capacityPages;
    }

    /**
     * Capacity in use: blocks and reservations of all objects.
     *
     * @return pages.
     */
    public long usedPages()
    {
        lock.lock();
        try
        {
            return store.usedPages();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Pages holding written data.
     *
     * @return pages.
     */
    public long storedPages()
    {
        lock.lock();
        try
        {
            return store.storedPages();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Objects stored, not counting the master index.
     *
     * @return the count.
     */
    public int objectCount()
    {
        lock.lock();
        try
        {
            return store.objectCount();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Objects culled to make space so far.
     *
     * @return the count.
     */
    public long culledObjects()
    {
        lock.lock();
        try
        {
            return store.culledObjects();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Make the next read of a present page fail: the backend reports an I/O error on the cache
     * ({@link CacheContext#ioError()}) and ends the page with {@link Result#IO_ERROR}.
     */
    public void failNextRead()
    {
        faults.failNextRead();
    }

    /**
     * Make the next page write fail: the backend reports an I/O error on the cache and returns
     * {@link Result#IO_ERROR}.
     */
    public void failNextWrite()
    {
        faults.failNextWrite();
    }

    /**
     * Hold reads of present pages in flight: they are marked and dispatched but end only at
     * {@link #releaseHeldReads()} (or are abandoned at withdrawal).
     */
    public void holdReads()
    {
        faults.holdReads();
    }

    /**
     * Stop holding reads and end every held read.
     *
     * @return the number of reads ended.
     */
    public int releaseHeldReads()
    {
        return faults.releaseHeldReads();
    }

    /**
     * Reads currently held.
     *
     * @return the count.
     */
    public int heldReadCount()
    {
        return faults.heldReadCount();
    }

    /**
     * Hold page writes in flight: {@link #writePage} blocks its pool thread until {@link #releaseWrites()} or
     * withdrawal.
     */
    public void holdWrites()
    {
        faults.holdWrites();
    }

    /**
     * Let held writes proceed.
     */
    public void releaseWrites()
    {
        faults.releaseWrites();
    }

    /**
     * Wait until at least {@code count} writes are held.
     *
     * @param count   the number of writes.
     * @param timeout the longest wait.
     * @param unit    its unit.
     * @return true if reached, false on timeout.
     * @throws InterruptedException if interrupted.
     */
    public boolean awaitHeldWrites(final int count, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        return faults.awaitHeldWrites(count, timeout, unit);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // CacheBackend.
    // ---------------------------------------------------------------------------------------------------------------

    public String name()
    {
        return NAME;
    }

    public String identifier()
    {
        return identifier;
    }

    public int pageSize()
    {
        return pageSize;
    }

    public CacheObject initCache(final CacheContext cache, final ObjectContext fsdef)
    {
        return objectCalls.initCache(cache, fsdef, pageCalls);
    }

    public CacheObject allocObject(final ObjectContext object)
    {
        if (store.dissociated())
        {
            return null;
        }

        return new MemoryObject(object, pageCalls);
    }

    public void lookupObject(final CacheObject object)
    {
        objectCalls.lookupObject(object);
    }

    public void lookupComplete(final CacheObject object)
    {
    }

    public CacheObject grabObject(final CacheObject object)
    {
        if (store.dissociated())
        {
            return null;
        }

        return ((MemoryObject)object).grab() ? object : null;
    }

    public void putObject(final CacheObject object)
    {
        ((MemoryObject)object).put();
    }

    public void lockObject(final CacheObject object)
    {
        ((MemoryObject)object).objectLock.lock();
    }

    public void unlockObject(final CacheObject object)
    {
        ((MemoryObject)object).objectLock.unlock();
    }

    public Result pinObject(final CacheObject object)
    {
        return objectCalls.pinObject(object);
    }

    public void unpinObject(final CacheObject object)
    {
        objectCalls.unpinObject(object);
    }

    public Result updateObject(final CacheObject object)
    {
        return objectCalls.updateObject(object);
    }

    public void dropObject(final CacheObject object)
    {
        objectCalls.dropObject(object);
    }

    public void sync()
    {
    }

    public void dissociatePages()
    {
        lock.lock();
        try
        {
            store.dissociate();
            faults.dissociateLocked();
        }
        finally
        {
            lock.unlock();
        }
    }

    public Result attrChanged(final CacheObject object)
    {
        return objectCalls.attrChanged(object);
    }

    public Result reserveSpace(final CacheObject object, final long size)
    {
        return objectCalls.reserveSpace(object, size);
    }

    public Result readOrAllocPage(final Retrieval op, final CachePage page)
    {
        return pageCalls.readOrAllocPage(op, page);
    }

    @Override
    public int readResident(
        final CacheObject object, final long position, final ByteBuffer dst, final int offset, final int length)
    {
        return pageCalls.readResident(object, position, dst, offset, length);
    }

    public Result readOrAllocPages(final Retrieval op, final List<CachePage> pages)
    {
        return pageCalls.readOrAllocPages(op, pages);
    }

    public Result allocatePage(final Retrieval op, final CachePage page)
    {
        return pageCalls.allocatePage(op, page);
    }

    public Result allocatePages(final Retrieval op, final List<CachePage> pages)
    {
        return pageCalls.allocatePages(op, pages);
    }

    public Result writePage(final Storage op, final CachePage page)
    {
        return pageCalls.writePage(op, page);
    }

    public void uncachePage(final CacheObject object, final CachePage page)
    {
        pageCalls.uncachePage(object, page);
    }

    public String toString()
    {
        return "MemoryCacheBackend{" + identifier + ", capacityPages=" + capacityPages + '}';
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Types.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Builds a {@link MemoryCacheBackend}; not thread-safe.
     */
    public static final class Builder
    {
        private long capacityPages = 1024;
        private int pageSize = 4096;
        private long pinLimitPages = Long.MAX_VALUE;
        private boolean asyncReads;
        private String identifier;

        private Builder()
        {
        }

        /**
         * Set the capacity.
         *
         * @param capacityPages pages, {@code >= 1}.
         * @return this.
         */
        public Builder capacityPages(final long capacityPages)
        {
            this.capacityPages = capacityPages;
            return this;
        }

        /**
         * Set the page size.
         *
         * @param pageSize a power of two {@code >= 512}.
         * @return this.
         */
        public Builder pageSize(final int pageSize)
        {
            this.pageSize = pageSize;
            return this;
        }

        /**
         * Set the most pages pinned objects may hold.
         *
         * @param pinLimitPages pages, {@code >= 0}.
         * @return this.
         */
        public Builder pinLimitPages(final long pinLimitPages)
        {
            this.pinLimitPages = pinLimitPages;
            return this;
        }

        /**
         * Complete reads on the FS-Cache pool through {@link Retrieval#enqueue()} instead of on the calling thread.
         *
         * @param asyncReads true for asynchronous completion.
         * @return this.
         */
        public Builder asyncReads(final boolean asyncReads)
        {
            this.asyncReads = asyncReads;
            return this;
        }

        /**
         * Set the identifier (the default tag).
         *
         * @param identifier the identifier.
         * @return this.
         */
        public Builder identifier(final String identifier)
        {
            this.identifier = identifier;
            return this;
        }

        /**
         * Build the backend.
         *
         * @return the backend.
         * @throws IllegalArgumentException for a capacity below 1, a bad page size or a negative pin limit.
         */
        public MemoryCacheBackend build()
        {
            return new MemoryCacheBackend(this);
        }
    }
}
