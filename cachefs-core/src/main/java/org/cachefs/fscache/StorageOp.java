package org.cachefs.fscache;

import org.cachefs.fscache.spi.CacheObject;
import org.cachefs.fscache.spi.Storage;

/**
 * The storage operation of one object ({@code struct fscache_storage} with {@code fscache_write_op}): at most one
 * per object ({@link FsObject#writer}). On a pool thread it takes the cookie's pending pages in submission order and
 * hands each to the backend's {@code write_page}, clearing PG_fscache_write when the call returns. After
 * {@link FsCacheOptions#storeBatchPages()} pages it re-enqueues itself for more time; when an exclusive operation is
 * waiting it finishes and hands the remaining pages to a fresh storage operation queued behind it. A failed write
 * withdraws the object and aborts its pending writes.
 */
final class StorageOp extends Operation implements Storage
{
    private final CookieImpl cookie;
    private volatile long storeLimit;

    StorageOp(final CookieImpl cookie, final FsObject object)
    {
        super(object, false);
        this.cookie = cookie;
        this.storeLimit = object.storeLimit;
    }

    boolean hasProcessor()
    {
        return true;
    }

    public CacheObject object()
    {
        return object.backendObject;
    }

    public long storeLimit()
    {
        return storeLimit;
    }

    void onCancelledLocked()
    {
        if (object.writer == this)
        {
            object.writer = null;
        }
        cookie.cancelPendingStoresLocked();
    }

    void doWork()
    {
        final FsCache fsCache = object.fsCache;
        fsCache.counters().inc(StatCounter.STORE_CALLS);
        final CacheObject grabbed = object.isActive() ? object.grab() : null;
        if (null == grabbed)
        {
            object.lock.lock();
            try
            {
                cookie.cancelPendingStoresLocked();
                finishLocked();
            }
            finally
            {
                object.lock.unlock();
            }
            return;
        }

        try
        {
            final int batch = fsCache.options().storeBatchPages();
            int written = 0;
            while (true)
            {
                final CachePage page;
                object.lock.lock();
                try
                {
                    if (!object.isActiveLocked())
                    {
                        cookie.cancelPendingStoresLocked();
                        finishLocked();
                        return;
                    }

                    if (!cookie.hasPendingStoresLocked())
                    {
                        finishLocked();
                        return;
                    }

                    if (object.nExclusive > 0)
                    {
                        finishLocked();
                        object.startWriterLocked(cookie);
                        return;
                    }

                    if (written >= batch)
                    {
                        object.requeueLocked(this);
                        return;
                    }

                    storeLimit = object.storeLimit;
                    page = cookie.takePendingStoreLocked(storeLimit);
                    if (null == page)
                    {
                        continue;
                    }
                }
                finally
                {
                    object.lock.unlock();
                }

                Result result;
                try
                {
                    result = object.cache.backend.writePage(this, page);
                }
                catch (final RuntimeException | LinkageError | AssertionError ex)
                {
                    fsCache.backendFailed(object.cache, ex);
                    result = Result.IO_ERROR;
                }

                object.lock.lock();
                try
                {
                    cookie.endPageWriteLocked(page);
                    if (result != Result.OK)
                    {
                        object.raiseEventLocked(FsObject.EV_ERROR);
                        cookie.cancelPendingStoresLocked();
                        finishLocked();
                        return;
                    }
                }
                finally
                {
                    object.lock.unlock();
                }
                written++;
            }
        }
        finally
        {
            object.release(grabbed);
        }
    }

    private void finishLocked()
    {
        if (object.writer == this)
        {
            object.writer = null;
        }
        object.completeLocked(this);
    }
}
