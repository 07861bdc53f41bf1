package org.cachefs.fscache.engine;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.ReadCompletion;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.StatCounter;
import org.cachefs.fscache.spi.CacheBackend;
import org.cachefs.fscache.spi.CacheObject;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

import static org.cachefs.fscache.engine.PageState.NOT_DISPATCHED;
import static org.cachefs.fscache.engine.PageState.PAGES;

/**
 * The page reads and allocations of one data cookie ({@code fscache_read_or_alloc_page(s)},
 * {@code fscache_alloc_page}): admits a retrieval operation on the cookie's first object, enters the pages as being
 * read, hands them to the backend and derives the call's result; and the retrievals kept for reuse, so that a cache
 * hit allocates nothing.
 * <p>
 * Threading: runs on the calling netfs thread, deciding under the cookie's lock ({@link CookieImpl#lock}) and calling
 * the backend without it. {@link #spares} is lock-free: a retrieval is offered back from whichever thread released
 * it last.
 */
final class CookieReads
{
    /** Spare retrievals kept per cookie: as many as threads commonly read one file at once. */
    private static final int SPARES = 8;

    private final CookieImpl cookie;
    private final ReentrantLock lock;
    /** Retrievals released by every holder, kept for this cookie's next ones on the same object. */
    private final AtomicReferenceArray<RetrievalOp> spares = new AtomicReferenceArray<>(SPARES);

    CookieReads(final CookieImpl cookie)
    {
        this.cookie = cookie;
        this.lock = cookie.lock;
    }

    /**
     * {@link org.cachefs.fscache.Cookie#readResident}: under the lock, takes the first object if it is active with no
     * attribute change queued or running and clips the range to its store limit; then asks the backend without the
     * lock. An attribute change queued after the check runs after a read already under way, as with a retrieval.
     */
    int readResident(final long position, final ByteBuffer dst, final int offset, final int length)
    {
        final FsObject object;
        final CacheObject backendObject;
        final int bytes;
        lock.lock();
        try
        {
            cookie.binding.checkNotRelinquishedLocked("readResident");
            object = cookie.binding.firstObjectLocked();
            if (null == object || !object.isActiveLocked() || object.ops.exclusiveQueuedLocked())
            {
                return 0;
            }
            backendObject = object.backendObject;
            final int pageSize = object.cache.pageSize();
            final long limit = object.storeLimit;
            final long end = limit >= Long.MAX_VALUE / pageSize ? Long.MAX_VALUE : limit * pageSize;
            bytes = null == backendObject ? 0 : (int)Math.min(length, Math.max(0, end - position));
        }
        finally
        {
            lock.unlock();
        }
        if (bytes == 0)
        {
            return 0;
        }
        try
        {
            final int copied = object.cache.backend.readResident(backendObject, position, dst, offset, bytes);
            if (copied < 0 || copied > bytes)
            {
                throw new IllegalStateException("readResident of " + bytes + " bytes gave " + copied);
            }
            return copied;
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            cookie.engine.backendFailed(object.cache, ex);
            return 0;
        }
    }

    Result readOrAllocPage(final CachePage page, final ReadCompletion<Object> callback, final Object context)
    {
        final CacheEngine engine = cookie.engine;
        final CookieBinding binding = cookie.binding;
        final CookiePages pages = cookie.pages;
        final Stats stats = engine.counters();
        stats.inc(StatCounter.RETRIEVALS);
        final RetrievalOp op;
        lock.lock();
        try
        {
            binding.checkNotRelinquishedLocked("readOrAllocPage");
            pages.checkNotTrackedLocked(page);
            if (null == binding.firstObjectLocked())
            {
                return countRetrieval(Result.NO_BUFS);
            }

            if (!binding.awaitLookupLocked(StatCounter.RETRIEVALS_WAIT))
            {
                return countRetrieval(Result.INTERRUPTED);
            }

            final FsObject object = binding.firstObjectLocked();
            if (null == object || object.ops.isOverStoreLimitLocked(page))
            {
                return countRetrieval(Result.NO_BUFS);
            }

            pages.checkNotTrackedLocked(page);
            op = retrievalLocked(object, callback, context);
            if (!object.ops.submitLocked(op))
            {
                return countRetrieval(Result.NO_BUFS);
            }
            pages.reserveLocked(page);
            stats.inc(StatCounter.RETRIEVAL_OPS);
        }
        finally
        {
            lock.unlock();
        }

        if (!binding.awaitStarted(op, StatCounter.RETRIEVAL_OP_WAITS) || !op.begin() ||
            page.index() >= op.object.storeLimit())
        {
            pages.unreserve(page);
            op.put();
            return countRetrieval(Result.NO_BUFS);
        }

        final boolean read = !binding.noDataYet();
        Result result;
        if (read)
        {
            op.prepareRead(page);
        }
        else
        {
            pages.unreserve(page);
        }

        final CacheBackend backend = op.object.cache.backend;
        try
        {
            result = read ? backend.readOrAllocPage(op, page) : backend.allocatePage(op, page);
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            engine.backendFailed(op.object.cache, ex);
            result = Result.NO_BUFS;
        }

        if (read)
        {
            if (!op.settleRead(page, result == Result.OK))
            {
                pages.unreserve(page);
                result = normaliseRetrieval(result);
            }
            else
            {
                result = Result.OK;
            }
        }
        else
        {
            result = result == Result.OK ? Result.NO_DATA : normaliseRetrieval(result);
        }

        op.put();
        return countRetrieval(result);
    }

    Result readOrAllocPages(
        final List<CachePage> pages, final ReadCompletion<Object> callback, final Object context)
    {
        final CacheEngine engine = cookie.engine;
        final CookieBinding binding = cookie.binding;
        final CookiePages known = cookie.pages;
        final Stats stats = engine.counters();
        stats.inc(StatCounter.RETRIEVALS);
        if (pages.isEmpty())
        {
            return countRetrieval(Result.OK);
        }

        final RetrievalOp op;
        lock.lock();
        try
        {
            binding.checkNotRelinquishedLocked("readOrAllocPages");
            for (int i = 0, n = pages.size(); i < n; i++)
            {
                known.checkNotTrackedLocked(pages.get(i));
            }
            if (null == binding.firstObjectLocked())
            {
                return countRetrieval(Result.NO_BUFS);
            }

            if (!binding.awaitLookupLocked(StatCounter.RETRIEVALS_WAIT))
            {
                return countRetrieval(Result.INTERRUPTED);
            }

            final FsObject object = binding.firstObjectLocked();
            if (null == object)
            {
                return countRetrieval(Result.NO_BUFS);
            }

            known.reserveAllLocked(pages);
            op = retrievalLocked(object, callback, context);
            if (!object.ops.submitLocked(op))
            {
                known.unreserveAllLocked(pages);
                return countRetrieval(Result.NO_BUFS);
            }
            stats.inc(StatCounter.RETRIEVAL_OPS);
        }
        finally
        {
            lock.unlock();
        }

        if (!binding.awaitStarted(op, StatCounter.RETRIEVAL_OP_WAITS) || !op.begin())
        {
            known.unreserveAll(pages);
            op.put();
            return countRetrieval(Result.NO_BUFS);
        }

        final long limit = op.object.storeLimit();
        int eligible = 0;
        for (int i = 0, n = pages.size(); i < n; i++)
        {
            if (pages.get(i).index() < limit)
            {
                eligible++;
            }
        }

        final List<CachePage> forBackend;
        if (eligible == pages.size())
        {
            forBackend = pages;
        }
        else
        {
            forBackend = new ArrayList<>(eligible);
            for (int i = 0, n = pages.size(); i < n; i++)
            {
                final CachePage page = pages.get(i);
                if (page.index() < limit)
                {
                    forBackend.add(page);
                }
                else
                {
                    known.unreserve(page);
                }
            }
        }

        final boolean read = !binding.noDataYet();
        final CacheBackend backend = op.object.cache.backend;
        Result result = Result.OK;
        if (!forBackend.isEmpty())
        {
            if (read)
            {
                for (int i = 0, n = forBackend.size(); i < n; i++)
                {
                    op.prepareRead(forBackend.get(i));
                }
            }
            else
            {
                known.unreserveAll(forBackend);
            }

            if (read)
            {
                for (int i = 0, n = forBackend.size(); i < n; i++)
                {
                    op.handed.add(forBackend.get(i));
                }
                op.inCall = Thread.currentThread();
            }
            try
            {
                result = read ? backend.readOrAllocPages(op, forBackend) : backend.allocatePages(op, forBackend);
            }
            catch (final RuntimeException | LinkageError | AssertionError ex)
            {
                engine.backendFailed(op.object.cache, ex);
                result = Result.NO_BUFS;
            }

            if (read)
            {
                op.inCall = null;
                known.readsEndedInCall(op.handed);
                op.handed.clear();
                for (int i = 0, n = forBackend.size(); i < n; i++)
                {
                    final CachePage page = forBackend.get(i);
                    if (!op.settleRead(page, false))
                    {
                        known.unreserve(page);
                        PAGES.setBits(page, NOT_DISPATCHED);
                    }
                }

                if (forBackend != pages)
                {
                    for (int i = pages.size() - 1; i >= 0; i--)
                    {
                        final CachePage page = pages.get(i);
                        if (page.index() < limit && !PAGES.hasBits(page, NOT_DISPATCHED))
                        {
                            pages.remove(i);
                        }
                    }
                }

                for (int i = 0, n = pages.size(); i < n; i++)
                {
                    PAGES.clearBits(pages.get(i), NOT_DISPATCHED);
                }
            }
        }

        if (result != Result.NO_MEM && result != Result.INTERRUPTED)
        {
            result = remainingOutcome(pages);
        }

        op.put();
        return countRetrieval(result);
    }

    /**
     * The combined outcome of the pages left in the list: NO_BUFS if any is not marked, else NO_DATA if any, else OK.
     */
    private Result remainingOutcome(final List<CachePage> pages)
    {
        if (pages.isEmpty())
        {
            return Result.OK;
        }

        return cookie.pages.allTracked(pages) ? Result.NO_DATA : Result.NO_BUFS;
    }

    Result allocPage(final CachePage page)
    {
        final CacheEngine engine = cookie.engine;
        final CookieBinding binding = cookie.binding;
        final Stats stats = engine.counters();
        stats.inc(StatCounter.ALLOCS);
        final RetrievalOp op;
        lock.lock();
        try
        {
            binding.checkNotRelinquishedLocked("allocPage");
            cookie.pages.checkNotTrackedLocked(page);
            if (null == binding.firstObjectLocked())
            {
                return countAlloc(Result.NO_BUFS);
            }

            if (!binding.awaitLookupLocked(StatCounter.ALLOCS_WAIT))
            {
                return Result.INTERRUPTED;
            }

            final FsObject object = binding.firstObjectLocked();
            if (null == object || object.ops.isOverStoreLimitLocked(page))
            {
                return countAlloc(Result.NO_BUFS);
            }

            cookie.pages.checkNotTrackedLocked(page);
            op = retrievalLocked(object, null, null);
            if (!object.ops.submitLocked(op))
            {
                return countAlloc(Result.NO_BUFS);
            }
            stats.inc(StatCounter.ALLOC_OPS);
        }
        finally
        {
            lock.unlock();
        }

        if (!binding.awaitStarted(op, StatCounter.ALLOC_OP_WAITS) || !op.begin() ||
            page.index() >= op.object.storeLimit())
        {
            op.put();
            return countAlloc(Result.NO_BUFS);
        }

        Result result;
        try
        {
            result = op.object.cache.backend.allocatePage(op, page);
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            engine.backendFailed(op.object.cache, ex);
            result = Result.NO_BUFS;
        }

        op.put();
        return countAlloc(result == Result.OK || result == Result.NO_MEM ? result : Result.NO_BUFS);
    }

    private Result countRetrieval(final Result result)
    {
        final Stats stats = cookie.engine.counters();
        switch (result)
        {
            case OK:
                stats.inc(StatCounter.RETRIEVALS_OK);
                break;

            case NO_DATA:
                stats.inc(StatCounter.RETRIEVALS_NO_DATA);
                break;

            case NO_MEM:
                stats.inc(StatCounter.RETRIEVALS_NO_MEM);
                break;

            case INTERRUPTED:
                stats.inc(StatCounter.RETRIEVALS_INTERRUPTED);
                break;

            default:
                stats.inc(StatCounter.RETRIEVALS_NO_BUFS);
                break;
        }

        return result;
    }

    private Result countAlloc(final Result result)
    {
        cookie.engine.counters().inc(result == Result.OK ? StatCounter.ALLOCS_OK : StatCounter.ALLOCS_NO_BUFS);
        return result;
    }

    private static Result normaliseRetrieval(final Result result)
    {
        if (result == Result.NO_DATA || result == Result.NO_MEM || result == Result.INTERRUPTED)
        {
            return result;
        }

        return Result.NO_BUFS;
    }

    /**
     * A retrieval operation on {@code object}: a spare one if one belongs to that object, else a new one.
     */
    private RetrievalOp retrievalLocked(
        final FsObject object, final ReadCompletion<Object> callback, final Object context)
    {
        for (int i = 0; i < SPARES; i++)
        {
            final RetrievalOp recycled = spares.getAndSet(i, null);
            if (null != recycled && recycled.object == object)
            {
                recycled.reuse(callback, context);
                return recycled;
            }
        }
        return new RetrievalOp(cookie, object, callback, context);
    }

    /**
     * Takes back a retrieval that completed and that nothing refers to any more (called once per retrieval).
     */
    void offerSpare(final RetrievalOp op)
    {
        for (int i = 0; i < SPARES; i++)
        {
            if (spares.compareAndSet(i, null, op))
            {
                return;
            }
        }
    }

    /**
     * @return the first retrieval kept for reuse, or null.
     */
    RetrievalOp spareRetrieval()
    {
        return spares.get(0);
    }
}
