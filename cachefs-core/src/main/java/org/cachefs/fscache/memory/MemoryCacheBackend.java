package org.cachefs.fscache.memory;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.CheckAux;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.spi.CacheBackend;
import org.cachefs.fscache.spi.CacheContext;
import org.cachefs.fscache.spi.CacheObject;
import org.cachefs.fscache.spi.ObjectContext;
import org.cachefs.fscache.spi.ObjectState;
import org.cachefs.fscache.spi.Retrieval;
import org.cachefs.fscache.spi.RetrievalProcessor;
import org.cachefs.fscache.spi.Storage;

import java.util.ArrayList;
import java.util.Iterator;
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
 * <h2>Threading</h2>
 * One lock guards the whole tree, the accounting and the fault-injection state; page data arrays are immutable once
 * stored. The lock is released before calling back into the core ({@link Retrieval#endIo},
 * {@link Retrieval#markPagesCached}, lookup utilities), except in {@link #initCache}. Reads complete on the calling
 * thread, or on an FS-Cache pool thread through {@link Retrieval#enqueue()} when built with
 * {@link Builder#asyncReads(boolean)}.
 */
public final class MemoryCacheBackend implements CacheBackend
{
    /** The provider name. */
    public static final String NAME = "memory";

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private static final RetrievalProcessor QUEUED_READER =
        (retrieval) -> ((MemoryObject)retrieval.object()).backend.completeQueuedReads(retrieval);

    private final String identifier;
    private final int pageSize;
    private final long capacityPages;
    private final boolean asyncReads;

    private final ReentrantLock lock = new ReentrantLock();
    private final MemoryStore store;
    private final MemoryFaults faults;

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
        asyncReads = builder.asyncReads;
        store = new MemoryStore(
            capacityPages, builder.pinLimitPages == Long.MAX_VALUE ? capacityPages : builder.pinLimitPages);
        faults = new MemoryFaults(lock, store);
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
        lock.lock();
        try
        {
            if (!store.dissociated())
            {
                throw new IllegalStateException("memory cache '" + identifier + "' is already added");
            }
            if (cache.pageSize() != pageSize)
            {
                throw new IllegalArgumentException("memory cache '" + identifier + "' page size " + pageSize +
                    " does not match the cache page size " + cache.pageSize());
            }

            final MemoryObject master = new MemoryObject(fsdef, this);
            store.associate(master);

            return master;
        }
        finally
        {
            lock.unlock();
        }
    }

    public CacheObject allocObject(final ObjectContext object)
    {
        if (store.dissociated())
        {
            return null;
        }

        return new MemoryObject(object, this);
    }

    public void lookupObject(final CacheObject object)
    {
        final MemoryObject memoryObject = (MemoryObject)object;
        final MemoryObject parentObject = (MemoryObject)object.parent();
        final ByteKey key = new ByteKey(object.key());
        MemoryEntry found = null;
        byte[] storedAux = null;
        long storedSize = -1;
        boolean failed = false;

        lock.lock();
        try
        {
            final MemoryEntry parentEntry = parentObject.entry;
            if (store.dissociated() || null == parentEntry)
            {
                failed = true;
            }
            else
            {
                found = parentEntry.children.get(key);
                if (null != found && null != found.bound)
                {
                    failed = true;
                }
                else if (null != found && found.type != object.type())
                {
                    store.removeSubtree(found);
                    found = null;
                }
                else if (null != found)
                {
                    store.bind(found, memoryObject);
                    storedAux = found.aux;
                    storedSize = found.sizeBytes;
                }
            }
        }
        finally
        {
            lock.unlock();
        }

        if (failed)
        {
            object.lookupError();
            return;
        }

        if (null != found)
        {
            final CheckAux verdict = object.checkAux(storedAux);
            if (verdict != CheckAux.OBSOLETE && storedSize >= 0)
            {
                object.setStoreLimit(storedSize);
            }
            if (verdict == CheckAux.OKAY)
            {
                object.obtainedObject();
                return;
            }

            lock.lock();
            try
            {
                if (verdict == CheckAux.NEEDS_UPDATE)
                {
                    found.aux = object.aux();
                }
                else
                {
                    found.bound = null;
                    memoryObject.entry = null;
                    store.removeSubtree(found);
                }
            }
            finally
            {
                lock.unlock();
            }

            if (verdict == CheckAux.NEEDS_UPDATE)
            {
                object.obtainedObject();
                return;
            }
        }

        object.lookupNegative();
        lock.lock();
        try
        {
            final MemoryEntry parentEntry = parentObject.entry;
            if (store.dissociated() || null == parentEntry)
            {
                failed = true;
            }
            else
            {
                store.bind(store.create(parentEntry, key, object.type(), object.aux()), memoryObject);
            }
        }
        finally
        {
            lock.unlock();
        }

        if (failed)
        {
            object.lookupError();
        }
        else
        {
            object.obtainedObject();
        }
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

        final AtomicInteger refs = ((MemoryObject)object).refs;
        int current;
        do
        {
            current = refs.get();
            if (current <= 0)
            {
                return null;
            }
        }
        while (!refs.compareAndSet(current, current + 1));

        return object;
    }

    public void putObject(final CacheObject object)
    {
        final int remaining = ((MemoryObject)object).refs.decrementAndGet();
        if (remaining == 0)
        {
            object.cache().objectDestroyed();
        }
        else if (remaining < 0)
        {
            throw new IllegalStateException(object + " put more often than grabbed");
        }
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
        lock.lock();
        try
        {
            final MemoryEntry entry = ((MemoryObject)object).entry;
            if (null == entry || store.dissociated())
            {
                return Result.NO_BUFS;
            }

            return store.pin(entry) ? Result.OK : Result.NO_SPACE;
        }
        finally
        {
            lock.unlock();
        }
    }

    public void unpinObject(final CacheObject object)
    {
        lock.lock();
        try
        {
            final MemoryEntry entry = ((MemoryObject)object).entry;
            if (null != entry)
            {
                entry.pinned = false;
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    public Result updateObject(final CacheObject object)
    {
        final byte[] aux = object.aux();
        lock.lock();
        try
        {
            final MemoryEntry entry = ((MemoryObject)object).entry;
            if (null == entry || store.dissociated())
            {
                return Result.NO_BUFS;
            }
            entry.aux = aux;

            return Result.OK;
        }
        finally
        {
            lock.unlock();
        }
    }

    public void dropObject(final CacheObject object)
    {
        final boolean retire = object.state() == ObjectState.RECYCLING;
        lock.lock();
        try
        {
            store.drop((MemoryObject)object, retire);
        }
        finally
        {
            lock.unlock();
        }
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
        final long size = object.objectSize();
        object.setStoreLimit(size);
        final long limit = size / pageSize + (size % pageSize != 0 ? 1 : 0);
        lock.lock();
        try
        {
            final MemoryEntry entry = ((MemoryObject)object).entry;
            if (null == entry || store.dissociated())
            {
                return Result.NO_BUFS;
            }

            store.truncate(entry, size, limit);

            return Result.OK;
        }
        finally
        {
            lock.unlock();
        }
    }

    public Result reserveSpace(final CacheObject object, final long size)
    {
        final long pages = size / pageSize + (size % pageSize != 0 ? 1 : 0);
        lock.lock();
        try
        {
            final MemoryEntry entry = ((MemoryObject)object).entry;
            if (null == entry || store.dissociated())
            {
                return Result.NO_BUFS;
            }

            return store.reserve(entry, pages) ? Result.OK : Result.NO_SPACE;
        }
        finally
        {
            lock.unlock();
        }
    }

    public Result readOrAllocPage(final Retrieval op, final CachePage page)
    {
        final int outcome;
        lock.lock();
        try
        {
            outcome = decideRead(op, page);
        }
        finally
        {
            lock.unlock();
        }

        return dispatch(op, page, outcome, true);
    }

    public Result readOrAllocPages(final Retrieval op, final List<CachePage> pages)
    {
        final int count = pages.size();
        final int[] outcomes = new int[count];
        lock.lock();
        try
        {
            for (int i = 0; i < count; i++)
            {
                outcomes[i] = decideRead(op, pages.get(i));
            }
        }
        finally
        {
            lock.unlock();
        }

        final ArrayList<CachePage> marked = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            if (outcomes[i] != NONE)
            {
                marked.add(pages.get(i));
            }
        }
        if (!marked.isEmpty())
        {
            op.markPagesCached(marked);
        }

        boolean noBufs = false;
        boolean noData = false;
        boolean queued = false;
        final ArrayList<CachePage> dispatched = new ArrayList<>(count);
        final int[] dispatchedOutcomes = new int[count];
        final Iterator<CachePage> iterator = pages.iterator();
        for (int i = 0; i < count; i++)
        {
            final CachePage page = iterator.next();
            switch (outcomes[i])
            {
                case NONE:
                    noBufs = true;
                    break;

                case ALLOCATED:
                    noData = true;
                    break;

                default:
                    iterator.remove();
                    dispatchedOutcomes[dispatched.size()] = outcomes[i];
                    dispatched.add(page);
                    queued |= outcomes[i] == READ_QUEUED;
                    break;
            }
        }

        for (int i = 0, n = dispatched.size(); i < n; i++)
        {
            dispatch(op, dispatched.get(i), dispatchedOutcomes[i], false);
        }
        if (queued)
        {
            op.processor(QUEUED_READER);
            op.enqueue();
        }

        return noBufs ? Result.NO_BUFS : noData ? Result.NO_DATA : Result.OK;
    }

    public Result allocatePage(final Retrieval op, final CachePage page)
    {
        final boolean allocated;
        lock.lock();
        try
        {
            allocated = store.allocateFor(((MemoryObject)op.object()).entry, page.index());
        }
        finally
        {
            lock.unlock();
        }

        if (!allocated)
        {
            return Result.NO_BUFS;
        }
        op.markPagesCached(page);

        return Result.OK;
    }

    public Result allocatePages(final Retrieval op, final List<CachePage> pages)
    {
        final ArrayList<CachePage> marked = new ArrayList<>(pages.size());
        lock.lock();
        try
        {
            final MemoryEntry entry = ((MemoryObject)op.object()).entry;
            for (int i = 0, n = pages.size(); i < n; i++)
            {
                if (store.allocateFor(entry, pages.get(i).index()))
                {
                    marked.add(pages.get(i));
                }
            }
        }
        finally
        {
            lock.unlock();
        }

        if (!marked.isEmpty())
        {
            op.markPagesCached(marked);
        }

        return marked.size() == pages.size() ? Result.NO_DATA : Result.NO_BUFS;
    }

    public Result writePage(final Storage op, final CachePage page)
    {
        final MemoryObject memoryObject = (MemoryObject)op.object();
        final boolean fail;
        lock.lock();
        try
        {
            fail = faults.takeWriteFailureLocked();
            if (!fail)
            {
                faults.passWriteGateLocked();
            }

            if (!fail && store.dissociated())
            {
                return Result.OK;
            }
        }
        finally
        {
            lock.unlock();
        }

        if (fail)
        {
            memoryObject.cache().ioError();
            return Result.IO_ERROR;
        }

        final byte[] copy = new byte[pageSize];
        page.buffer().get(0, copy);

        lock.lock();
        try
        {
            store.storePage(memoryObject.entry, page.index(), copy);

            return Result.OK;
        }
        finally
        {
            lock.unlock();
        }
    }

    public void uncachePage(final CacheObject object, final CachePage page)
    {
        lock.lock();
        try
        {
            store.uncache(((MemoryObject)object).entry, page.index());
        }
        finally
        {
            lock.unlock();
        }
    }

    public String toString()
    {
        return "MemoryCacheBackend{" + identifier + ", capacityPages=" + capacityPages + '}';
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reading.
    // ---------------------------------------------------------------------------------------------------------------

    private static final int NONE = 0;
    private static final int ALLOCATED = 1;
    private static final int READ_NOW = 2;
    private static final int READ_QUEUED = 3;
    private static final int READ_HELD = 4;
    private static final int READ_FAILED = 5;

    /**
     * Decide, under the lock, what to do with a page; for held reads record the page.
     */
    private int decideRead(final Retrieval op, final CachePage page)
    {
        final MemoryEntry entry = ((MemoryObject)op.object()).entry;
        if (store.dissociated() || null == entry)
        {
            return NONE;
        }

        store.touch(entry);
        final long index = page.index();
        if (!entry.pages.containsKey(index))
        {
            return store.allocateFor(entry, index) ? ALLOCATED : NONE;
        }

        if (faults.takeReadFailureLocked())
        {
            return READ_FAILED;
        }

        if (faults.holdReadLocked(op, page))
        {
            return READ_HELD;
        }

        return asyncReads ? READ_QUEUED : READ_NOW;
    }

    private Result dispatch(final Retrieval op, final CachePage page, final int outcome, final boolean mark)
    {
        switch (outcome)
        {
            case NONE:
                return Result.NO_BUFS;

            case ALLOCATED:
                if (mark)
                {
                    op.markPagesCached(page);
                }
                return Result.NO_DATA;

            case READ_FAILED:
                if (mark)
                {
                    op.markPagesCached(page);
                }
                op.object().cache().ioError();
                op.endIo(page, Result.IO_ERROR);
                return Result.OK;

            case READ_HELD:
                if (mark)
                {
                    op.markPagesCached(page);
                }
                return Result.OK;

            case READ_QUEUED:
                if (mark)
                {
                    op.markPagesCached(page);
                }
                op.toDo().add(page);
                if (mark)
                {
                    op.processor(QUEUED_READER);
                    op.enqueue();
                }
                return Result.OK;

            default:
                if (mark)
                {
                    op.markPagesCached(page);
                }
                final Result result;
                lock.lock();
                try
                {
                    result = store.copyIn(op, page);
                }
                finally
                {
                    lock.unlock();
                }
                if (null != result)
                {
                    op.endIo(page, result);
                }
                return Result.OK;
        }
    }

    private void completeQueuedReads(final Retrieval op)
    {
        final List<CachePage> toDo = op.toDo();
        final Result[] results = new Result[toDo.size()];
        lock.lock();
        try
        {
            for (int i = 0; i < results.length; i++)
            {
                results[i] = store.copyIn(op, toDo.get(i));
            }
        }
        finally
        {
            lock.unlock();
        }

        for (int i = 0; i < results.length; i++)
        {
            if (null != results[i])
            {
                op.endIo(toDo.get(i), results[i]);
            }
        }
        toDo.clear();
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
