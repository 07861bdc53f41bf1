package org.cachefs.readthrough;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.Result;

/**
 * The background work of a {@link ReadThroughCache}: chunks fetched from the origin written to the cache, and
 * read-ahead, on the store threads, counted so that {@link #awaitStored} can wait for them.
 * <p>
 * Threading: {@link #submit} from any thread; the tasks run on the store executor; the count under the object's
 * monitor.
 */
final class ChunkStores
{
    private static final System.Logger LOG = System.getLogger("org.cachefs.readthrough");

    private final Executor executor;
    private final Counters counters;
    private final int pageSize;
    /** Tasks submitted and not ended; under the monitor. */
    private int pending;

    ChunkStores(final Executor executor, final Counters counters, final int pageSize)
    {
        this.executor = executor;
        this.counters = counters;
        this.pageSize = pageSize;
    }

    /**
     * Stores a fetched chunk on a store thread, after the chunks of the same file queued before it: one file's
     * chunks are written one after another, so that its pages get consecutive blocks (two threads writing two chunks
     * of one file at once would interleave their blocks, and a later read of the chunk would take many I/Os). The
     * entry is held open until the chunk is stored; if the store threads are shut down the chunk is given back.
     */
    void storeLater(final FileEntry entry, final ChunkFetch fetch)
    {
        entry.hold();
        synchronized (entry.storeQueue)
        {
            entry.storeQueue.addLast(fetch);
            if (entry.storing)
            {
                countTask();
                return;
            }
            entry.storing = true;
        }
        countTask();
        if (!submit(() -> drain(entry)))
        {
            ChunkFetch dropped;
            synchronized (entry.storeQueue)
            {
                entry.storing = false;
                dropped = entry.storeQueue.pollFirst();
            }
            while (null != dropped)
            {
                entry.fetches.remove(dropped.chunk, dropped);
                dropped.release();
                entry.unhold();
                taskEnded();
                synchronized (entry.storeQueue)
                {
                    dropped = entry.storeQueue.pollFirst();
                }
            }
        }
    }

    /**
     * On a store thread: stores the entry's queued chunks in order until none is left.
     */
    private void drain(final FileEntry entry)
    {
        while (true)
        {
            final ChunkFetch fetch;
            synchronized (entry.storeQueue)
            {
                fetch = entry.storeQueue.pollFirst();
                if (null == fetch)
                {
                    entry.storing = false;
                    return;
                }
            }
            boolean stored = false;
            try
            {
                store(entry, fetch);
                stored = true;
            }
            finally
            {
                taskEnded();
                if (!stored)
                {
                    // An error escaped store: let the next chunk start a drain of its own rather than wait forever.
                    synchronized (entry.storeQueue)
                    {
                        entry.storing = false;
                    }
                }
            }
        }
    }

    private synchronized void countTask()
    {
        pending++;
    }

    /**
     * Writes a fetched chunk's pages to the cache, waits for the writes and gives the chunk back.
     */
    private void store(final FileEntry entry, final ChunkFetch fetch)
    {
        try
        {
            final long stamp = entry.enter();
            if (0 != stamp)
            {
                try
                {
                    storePages(entry.cookie(), fetch);
                }
                finally
                {
                    entry.exit(stamp);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            counters.storeErrors.increment();
            LOG.log(System.Logger.Level.WARNING, "cachefs: storing " + entry.path + " failed: " + ex, ex);
        }
        finally
        {
            entry.fetches.remove(fetch.chunk, fetch);
            fetch.release();
            entry.storesEnded.incrementAndGet();
            entry.unhold();
        }
    }


    private void storePages(final Cookie cookie, final ChunkFetch fetch)
    {
        final int pages = (fetch.length + pageSize - 1) / pageSize;
        final long firstPage = fetch.offset / pageSize;
        final List<CachePage> allocated = new ArrayList<>(pages);
        final List<CachePage> written = new ArrayList<>(pages);
        int refused = 0;
        try
        {
            for (int i = 0; i < pages; i++)
            {
                final CachePage page = new CachePage(firstPage + i, fetch.buffer.slice(i * pageSize, pageSize));
                if (cookie.allocPage(page) != Result.OK)
                {
                    refused++;
                    continue;
                }
                allocated.add(page);
                if (cookie.writePage(page) == Result.OK)
                {
                    written.add(page);
                }
                else
                {
                    refused++;
                }
            }
            for (int i = 0, n = written.size(); i < n; i++)
            {
                cookie.waitOnPageWrite(written.get(i));
            }
        }
        finally
        {
            for (int i = 0, n = allocated.size(); i < n; i++)
            {
                cookie.uncachePage(allocated.get(i));
            }
        }
        counters.storedPages.add(written.size());
        counters.refusedPages.add(refused);
    }


    /**
     * Runs a background task on a store thread, counted until it ends.
     *
     * @return false if the store threads are shut down.
     */
    boolean submit(final Runnable task)
    {
        synchronized (this)
        {
            pending++;
        }
        try
        {
            executor.execute(() ->
            {
                try
                {
                    task.run();
                }
                finally
                {
                    taskEnded();
                }
            });
            return true;
        }
        catch (final RejectedExecutionException ex)
        {
            taskEnded();
            return false;
        }
    }


    private synchronized void taskEnded()
    {
        if (--pending == 0)
        {
            notifyAll();
        }
    }


    /**
     * Waits until no store or read-ahead is queued or running.
     *
     * @return false if some still were when the timeout passed.
     */
    synchronized boolean awaitStored(final long timeoutNanos) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeoutNanos;
        while (pending > 0)
        {
            final long remaining = deadline - System.nanoTime();
            if (remaining <= 0)
            {
                return false;
            }
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, remaining);
        }
        return true;
    }
}
