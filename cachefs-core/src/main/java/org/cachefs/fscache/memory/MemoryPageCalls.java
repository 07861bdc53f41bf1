package org.cachefs.fscache.memory;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.spi.CacheBackend;
import org.cachefs.fscache.spi.CacheObject;
import org.cachefs.fscache.spi.Retrieval;
import org.cachefs.fscache.spi.RetrievalProcessor;
import org.cachefs.fscache.spi.Storage;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The page calls of a {@link MemoryCacheBackend}: reads and allocations (deciding each page's outcome under the
 * lock, then marking pages cached, copying data in, failing, holding or queueing reads and ending their I/O
 * outside it), page writes through the fault injection's write gate, and uncaching.
 * <p>
 * Threading: called by FS-Cache on netfs and pool threads; queued reads complete on a pool thread through
 * {@link Retrieval#enqueue()}. Each step that touches the store or the fault injection runs under the backend's
 * lock, released before calling back into the core ({@link Retrieval#endIo}, {@link Retrieval#markPagesCached}).
 * Holds no state of its own.
 */
final class MemoryPageCalls
{
    private static final int NONE = 0;
    private static final int ALLOCATED = 1;
    private static final int READ_NOW = 2;
    private static final int READ_QUEUED = 3;
    private static final int READ_HELD = 4;
    private static final int READ_FAILED = 5;

    private static final RetrievalProcessor QUEUED_READER =
        (retrieval) -> ((MemoryObject)retrieval.object()).pageCalls.completeQueuedReads(retrieval);

    private final ReentrantLock lock;
    private final MemoryStore store;
    private final MemoryFaults faults;
    private final int pageSize;
    private final boolean asyncReads;

    MemoryPageCalls(
        final ReentrantLock lock,
        final MemoryStore store,
        final MemoryFaults faults,
        final int pageSize,
        final boolean asyncReads)
    {
        this.lock = lock;
        this.store = store;
        this.faults = faults;
        this.pageSize = pageSize;
        this.asyncReads = asyncReads;
    }

    /**
     * {@link CacheBackend#readResident}: every page this backend holds is in memory, so the range is copied up to the
     * first page it does not hold, under the lock.
     */
    int readResident(
        final CacheObject object, final long position, final ByteBuffer dst, final int offset, final int length)
    {
        lock.lock();
        try
        {
            final MemoryEntry entry = ((MemoryObject)object).entry;
            if (store.dissociated() || null == entry)
            {
                return 0;
            }
            int done = 0;
            while (done < length)
            {
                final long at = position + done;
                final byte[] data = entry.pages.get(at / pageSize);
                if (null == data)
                {
                    break;
                }
                final int from = (int)(at % pageSize);
                final int bytes = Math.min(pageSize - from, length - done);
                dst.put(offset + done, data, from, bytes);
                done += bytes;
            }
            if (done > 0)
            {
                store.touch(entry);
            }
            return done;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * {@link CacheBackend#readOrAllocPage}: read a present page, or allocate a block for a missing one.
     */
    Result readOrAllocPage(final Retrieval op, final CachePage page)
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

    /**
     * {@link CacheBackend#readOrAllocPages}: read the present pages, allocate blocks for the missing ones,
     * and remove from the list the pages dispatched for reading.
     */
    Result readOrAllocPages(final Retrieval op, final List<CachePage> pages)
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

    /**
     * {@link CacheBackend#allocatePage}: allocate a block for a page.
     */
    Result allocatePage(final Retrieval op, final CachePage page)
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

    /**
     * {@link CacheBackend#allocatePages}: allocate blocks for pages.
     */
    Result allocatePages(final Retrieval op, final List<CachePage> pages)
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

    /**
     * {@link CacheBackend#writePage}: pass the write gate, copy the page's data and store it.
     */
    Result writePage(final Storage op, final CachePage page)
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

    /**
     * {@link CacheBackend#uncachePage}: free the block of a page allocated but not written.
     */
    void uncachePage(final CacheObject object, final CachePage page)
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
}
