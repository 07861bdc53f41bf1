package org.cachefs.fscache.engine;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.StatCounter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import static org.cachefs.fscache.engine.PageState.LISTED;
import static org.cachefs.fscache.engine.PageState.PAGES;
import static org.cachefs.fscache.engine.PageState.READ_PENDING;

/**
 * The pages of one data cookie that the cache knows of: {@link #tracked}, the pages the backend marked cached
 * (PG_fscache) until they are uncached, and {@link #reading}, the pages in a read call or with a read in flight.
 * Both may hold several pages of one index (netfs threads with a page each). Marks pages cached
 * ({@code fscache_mark_pages_cached}) and uncaches them ({@code fscache_uncache_page}).
 * <p>
 * Threading: guarded by the cookie's lock ({@link CookieImpl#lock}); marking and read ends come from any thread
 * (backend completions), uncaching from netfs threads. The lock is not held while calling the backend or the netfs.
 */
final class CookiePages
{
    private final CookieImpl cookie;
    private final ReentrantLock lock;
    private final PageSet tracked = new PageSet(PageSet.TRACKED);
    private final PageSet reading = new PageSet(PageSet.READING);

    CookiePages(final CookieImpl cookie)
    {
        this.cookie = cookie;
        this.lock = cookie.lock;
    }

    boolean isTrackedLocked(final CachePage page)
    {
        return tracked.contains(page);
    }

    int trackedCountLocked()
    {
        return tracked.size();
    }

    /**
     * @return true if every page of the list is marked cached.
     */
    boolean allTracked(final List<CachePage> pages)
    {
        lock.lock();
        try
        {
            for (int i = 0, n = pages.size(); i < n; i++)
            {
                if (!tracked.contains(pages.get(i)))
                {
                    return false;
                }
            }
        }
        finally
        {
            lock.unlock();
        }

        return true;
    }

    /**
     * @return a copy of the pages marked cached.
     */
    ArrayList<CachePage> trackedPages()
    {
        lock.lock();
        try
        {
            final ArrayList<CachePage> pages = new ArrayList<>(tracked.size());
            tracked.copyTo(pages);
            return pages;
        }
        finally
        {
            lock.unlock();
        }
    }

    void checkNotTrackedLocked(final CachePage page)
    {
        if (tracked.contains(page))
        {
            throw new IllegalStateException("page " + page.index() + " of cookie '" + cookie.name +
                "' is already tracked by the cache: uncache it before reading or allocating it again");
        }

        if (reading.contains(page))
        {
            throw new IllegalStateException("page " + page.index() + " of cookie '" + cookie.name +
                "' already has a read in progress");
        }
    }

    void reserveLocked(final CachePage page)
    {
        reading.add(page);
    }

    /**
     * Enters the pages of a list as being read; an index listed twice is refused (the pages of one call are one per
     * index; other calls may read other pages of the same indexes).
     */
    void reserveAllLocked(final List<CachePage> pages)
    {
        final int n = pages.size();
        int listed = 0;
        try
        {
            for (; listed < n; listed++)
            {
                final CachePage page = pages.get(listed);
                if (PAGES.hasBits(page, LISTED))
                {
                    throw duplicateInList(page);
                }
                for (CachePage other = reading.first(page.index()); null != other;
                    other = PAGES.next(other, PageSet.READING))
                {
                    if (PAGES.hasBits(other, LISTED))
                    {
                        throw duplicateInList(page);
                    }
                }
                PAGES.setBits(page, LISTED);
                reading.add(page);
            }
        }
        catch (final IllegalArgumentException ex)
        {
            for (int j = 0; j < listed; j++)
            {
                reading.remove(pages.get(j));
            }
            throw ex;
        }
        finally
        {
            for (int j = 0; j < listed; j++)
            {
                PAGES.clearBits(pages.get(j), LISTED);
            }
        }
    }

    private static IllegalArgumentException duplicateInList(final CachePage page)
    {
        return new IllegalArgumentException("page index " + page.index() + " appears twice in the list");
    }

    void unreserveAllLocked(final List<CachePage> pages)
    {
        for (int i = 0, n = pages.size(); i < n; i++)
        {
            reading.remove(pages.get(i));
        }
    }

    void unreserveAll(final List<CachePage> pages)
    {
        lock.lock();
        try
        {
            unreserveAllLocked(pages);
        }
        finally
        {
            lock.unlock();
        }
    }

    void unreserve(final CachePage page)
    {
        lock.lock();
        try
        {
            reading.remove(page);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * The pages of a multi-page read whose reads the backend ended within its call, on the calling thread: they
     * leave the reading set under one lock hold rather than one each.
     */
    void readsEndedInCall(final List<CachePage> handed)
    {
        lock.lock();
        try
        {
            for (int i = 0, n = handed.size(); i < n; i++)
            {
                final CachePage page = handed.get(i);
                if (!PAGES.hasBits(page, READ_PENDING) && null == PAGES.reader(page))
                {
                    reading.remove(page);
                }
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    void markPagesCached(final RetrievalOp op, final CachePage page)
    {
        final boolean marked;
        lock.lock();
        try
        {
            marked = markLocked(op, page);
        }
        finally
        {
            lock.unlock();
        }

        if (marked)
        {
            cookie.engine.counters().inc(StatCounter.PAGES_MARKED);
            if (cookie.traits.marksPages)
            {
                notifyMarked(Collections.singletonList(page));
            }
        }
    }

    void markPagesCached(final RetrievalOp op, final List<CachePage> pages)
    {
        int marked = 0;
        lock.lock();
        try
        {
            for (int i = 0, n = pages.size(); i < n; i++)
            {
                if (markLocked(op, pages.get(i)))
                {
                    marked++;
                }
            }
        }
        finally
        {
            lock.unlock();
        }

        if (marked > 0)
        {
            cookie.engine.counters().add(StatCounter.PAGES_MARKED, marked);
            if (cookie.traits.marksPages)
            {
                final List<CachePage> notified = new ArrayList<>(marked);
                lock.lock();
                try
                {
                    for (int i = 0, n = pages.size(); i < n; i++)
                    {
                        final CachePage page = pages.get(i);
                        if (tracked.contains(page))
                        {
                            notified.add(page);
                        }
                    }
                }
                finally
                {
                    lock.unlock();
                }
                notifyMarked(Collections.unmodifiableList(notified));
            }
        }
    }

    private boolean markLocked(final RetrievalOp op, final CachePage page)
    {
        if (op.isCancelled() || !op.object.attached)
        {
            return false;
        }

        if (!tracked.contains(page))
        {
            tracked.add(page);
        }
        page.setFsCache();
        return true;
    }

    private void notifyMarked(final List<CachePage> pages)
    {
        try
        {
            cookie.def.markPagesCached(cookie.data, pages);
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            cookie.engine.reportError(ex);
        }
    }

    void uncachePage(final CachePage page)
    {
        final CacheEngine engine = cookie.engine;
        engine.counters().inc(StatCounter.PAGES_UNCACHED);
        final FsObject object;
        lock.lock();
        try
        {
            if (!tracked.remove(page))
            {
                return;
            }

            page.clearFsCache();

            cookie.binding.clearNoDataYetLocked();
            object = cookie.binding.firstObjectLocked();
        }
        finally
        {
            lock.unlock();
        }

        if (null != object)
        {
            try
            {
                object.cache.backend.uncachePage(object.backendObject, page);
            }
            catch (final RuntimeException | LinkageError | AssertionError ex)
            {
                engine.backendFailed(object.cache, ex);
            }
        }
    }

    void uncachePages(final List<CachePage> pages)
    {
        final CacheEngine engine = cookie.engine;
        final int count = pages.size();
        engine.counters().add(StatCounter.PAGES_UNCACHED, count);
        final FsObject object;
        int untracked = 0;
        lock.lock();
        try
        {
            for (int i = 0; i < count; i++)
            {
                final CachePage page = pages.get(i);
                if (null == page)
                {
                    throw new IllegalArgumentException("page list holds null at " + i);
                }
                if (tracked.remove(page))
                {
                    page.clearFsCache();
                    PAGES.setBits(page, LISTED);
                    untracked++;
                }
            }
            if (untracked == 0)
            {
                return;
            }
            cookie.binding.clearNoDataYetLocked();
            object = cookie.binding.firstObjectLocked();
        }
        finally
        {
            lock.unlock();
        }

        if (null == object)
        {
            for (int i = 0; i < count; i++)
            {
                PAGES.clearBits(pages.get(i), LISTED);
            }
        }
        else
        {
            try
            {
                for (int i = 0; i < count; i++)
                {
                    final CachePage page = pages.get(i);
                    if (PAGES.testAndClear(page, LISTED))
                    {
                        object.cache.backend.uncachePage(object.backendObject, page);
                    }
                }
            }
            catch (final RuntimeException | LinkageError | AssertionError ex)
            {
                engine.backendFailed(object.cache, ex);
                for (int i = 0; i < count; i++)
                {
                    PAGES.clearBits(pages.get(i), LISTED);
                }
            }
        }
    }

    /**
     * Tear down page tracking for a withdrawn object: every page leaves the tracked set, and the pages whose reads
     * are still pending leave the reading set.
     *
     * @return the pages whose pending reads the caller must cancel (their {@link PageState#READ_PENDING} cleared
     * here), or null if none.
     */
    ArrayList<CachePage> withdrawLocked()
    {
        ArrayList<CachePage> cancelled = null;
        final ArrayList<CachePage> pages = new ArrayList<>(Math.max(reading.size(), tracked.size()));
        reading.copyTo(pages);
        for (int i = 0, n = pages.size(); i < n; i++)
        {
            final CachePage page = pages.get(i);
            if (PAGES.testAndClear(page, READ_PENDING))
            {
                if (null == cancelled)
                {
                    cancelled = new ArrayList<>();
                }
                cancelled.add(page);
                reading.remove(page);
            }
        }

        pages.clear();
        tracked.copyTo(pages);
        for (int i = 0, n = pages.size(); i < n; i++)
        {
            pages.get(i).clearFsCache();
        }
        tracked.clear();
        return cancelled;
    }
}
