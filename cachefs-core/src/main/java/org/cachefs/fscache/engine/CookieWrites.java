package org.cachefs.fscache.engine;

import org.agrona.collections.Long2ObjectHashMap;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.StatCounter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import static org.cachefs.fscache.engine.PageState.PAGES;
import static org.cachefs.fscache.engine.PageState.STORING;

/**
 * The write queue of one data cookie ({@code fscache_write_page} and the waits on it): {@link #pendingStores}, the
 * pages whose write is queued and not yet handed to the backend, in submission order, at most one per index
 * ({@link #queuedStores}). A write of another page of an index whose write is still queued supersedes it, so the
 * cache keeps the last page written. A page being written by the storage operation carries
 * {@link PageState#STORING}; the object's single storage operation ({@link StorageOp}) writes batches one after
 * another, so a write queued behind a write in progress of the same index reaches the backend after it. Also
 * answers whether a page's write is in progress, waits for it, and releases or uncaches pages once their writes
 * ended.
 * <p>
 * Threading: guarded by the cookie's lock ({@link CookieImpl#lock}); netfs threads queue and wait, the storage
 * operation's pool thread takes and ends writes. {@link CookieImpl#changed} is signalled whenever a write ends or
 * leaves the queue.
 */
final class CookieWrites
{
    private final CookieImpl cookie;
    private final ReentrantLock lock;
    private final Condition changed;
    private final Long2ObjectHashMap<CachePage> queuedStores = new Long2ObjectHashMap<>();
    private final ArrayDeque<CachePage> pendingStores = new ArrayDeque<>();

    CookieWrites(final CookieImpl cookie)
    {
        this.cookie = cookie;
        this.lock = cookie.lock;
        this.changed = cookie.changed;
    }

    Result writePage(final CachePage page)
    {
        final Stats stats = cookie.engine.counters();
        stats.inc(StatCounter.STORES);
        lock.lock();
        try
        {
            cookie.binding.checkNotRelinquishedLocked("writePage");
            final FsObject object = cookie.binding.firstObjectLocked();
            if (null == object || !object.acceptsOpsLocked() || !cookie.pages.isTrackedLocked(page) ||
                object.ops.isOverStoreLimitLocked(page))
            {
                stats.inc(StatCounter.STORES_NO_BUFS);
                return Result.NO_BUFS;
            }

            if (isWritingLocked(page))
            {
                stats.inc(StatCounter.STORES_AGAIN);
                stats.inc(StatCounter.STORES_OK);
                return Result.OK;
            }

            final CachePage superseded = queuedStores.put(page.index(), page);
            if (null != superseded)
            {
                // An earlier page of this index is still queued: this later one is what the cache must keep.
                pendingStores.removeFirstOccurrence(superseded);
                superseded.clearFsCacheWrite();
                changed.signalAll();
            }
            pendingStores.addLast(page);
            page.setFsCacheWrite();
            object.accepted.startWriterLocked(cookie);
            if (queuedStores.get(page.index()) != page)
            {
                stats.inc(StatCounter.STORES_NO_BUFS);
                return Result.NO_BUFS;
            }

            stats.inc(StatCounter.STORES_OK);
            return Result.OK;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return true while the page's write is queued or being written.
     */
    private boolean isWritingLocked(final CachePage page)
    {
        return PAGES.hasBits(page, STORING) || queuedStores.get(page.index()) == page;
    }

    boolean hasPendingStoresLocked()
    {
        return !pendingStores.isEmpty();
    }

    /**
     * Take the next pending page for the storage operation; pages at or over the limit are superseded (ended
     * without being written).
     */
    CachePage takePendingStoreLocked(final long limit)
    {
        CachePage page;
        while (null != (page = pendingStores.pollFirst()))
        {
            queuedStores.remove(page.index(), page);
            if (page.index() >= limit)
            {
                page.clearFsCacheWrite();
                changed.signalAll();
                continue;
            }

            PAGES.setBits(page, STORING);
            return page;
        }

        return null;
    }

    /**
     * Ends the writes of pages the storage operation took together, waking waiters once.
     */
    void endPageWritesLocked(final List<CachePage> pages)
    {
        for (int i = 0, n = pages.size(); i < n; i++)
        {
            final CachePage page = pages.get(i);
            PAGES.clearBits(page, STORING);
            page.clearFsCacheWrite();
        }
        changed.signalAll();
    }

    /**
     * A truncation: queued writes of pages from {@code firstPage} on are dropped, so that none is stored after an
     * extension that follows (writes in progress end before the truncation runs, which then drops their pages).
     */
    void cancelQueuedStoresFromLocked(final long firstPage)
    {
        if (pendingStores.isEmpty())
        {
            return;
        }
        for (final Iterator<CachePage> it = pendingStores.iterator(); it.hasNext(); )
        {
            final CachePage page = it.next();
            if (page.index() >= firstPage)
            {
                it.remove();
                queuedStores.remove(page.index(), page);
                page.clearFsCacheWrite();
            }
        }
        changed.signalAll();
    }

    void cancelPendingStoresLocked()
    {
        if (pendingStores.isEmpty())
        {
            return;
        }

        CachePage page;
        while (null != (page = pendingStores.pollFirst()))
        {
            queuedStores.remove(page.index(), page);
            page.clearFsCacheWrite();
        }
        changed.signalAll();
    }

    boolean checkPageWrite(final CachePage page)
    {
        lock.lock();
        try
        {
            return isWritingLocked(page);
        }
        finally
        {
            lock.unlock();
        }
    }

    void waitOnPageWrite(final CachePage page)
    {
        lock.lock();
        try
        {
            while (isWritingLocked(page))
            {
                changed.awaitUninterruptibly();
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    boolean waitOnPageWrite(final CachePage page, final long timeout, final TimeUnit unit)
    {
        long remainingNs = unit.toNanos(timeout);
        lock.lock();
        try
        {
            while (isWritingLocked(page))
            {
                if (remainingNs <= 0)
                {
                    return false;
                }
                try
                {
                    remainingNs = changed.awaitNanos(remainingNs);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return !isWritingLocked(page);
                }
            }

            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    boolean maybeReleasePage(final CachePage page)
    {
        lock.lock();
        try
        {
            if (PAGES.hasBits(page, STORING))
            {
                return false;
            }

            if (queuedStores.remove(page.index(), page))
            {
                pendingStores.removeFirstOccurrence(page);
                page.clearFsCacheWrite();
                changed.signalAll();
            }
        }
        finally
        {
            lock.unlock();
        }

        cookie.pages.uncachePage(page);
        return true;
    }

    void uncacheAllPages()
    {
        final ArrayList<CachePage> pages = cookie.pages.trackedPages();
        for (int i = 0, n = pages.size(); i < n; i++)
        {
            final CachePage page = pages.get(i);
            waitOnPageWrite(page);
            cookie.pages.uncachePage(page);
        }
    }
}
