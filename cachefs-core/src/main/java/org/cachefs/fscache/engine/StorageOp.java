package org.cachefs.fscache.engine;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.FsCacheOptions;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.StatCounter;
import org.cachefs.fscache.spi.CacheObject;
import org.cachefs.fscache.spi.Storage;

/**
 * The storage operation of one object ({@code struct fscache_storage} with {@code fscache_write_op}): at most one
 * per object ({@link ObjectAcceptedWork}). On a pool thread it takes the cookie's pending pages in submission order, as
 * many as are queued up to the batch, and hands them to the backend ({@code write_page} for one page,
 * {@link org.cachefs.fscache.spi.CacheBackend#writePages} for more), clearing PG_fscache_write when the call
 * returns. After {@link FsCacheOptions#storeBatchPages()} pages it re-enqueues itself behind the tasks waiting for a
 * pool thread, if any (else it goes on); when an exclusive operation is waiting it finishes and hands the remaining
 * pages to a fresh storage operation queued behind it. A failed write withdraws the object and aborts its pending
 * writes. A release without retirement waits for it ({@link ObjectAcceptedWork#releaseLocked()}).
 */
final class StorageOp extends Operation implements Storage
{
    private final CookieImpl cookie;
    private volatile long storeLimit;
    /** The pages taken from the cookie's queue for one backend call; only the thread running the op uses it. */
    private final java.util.ArrayList<CachePage> taken = new java.util.ArrayList<>();
    /** {@link #taken} as the backend sees it. */
    private final java.util.List<CachePage> takenView = java.util.Collections.unmodifiableList(taken);

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
        object.accepted.writerEndedLocked(this);
        cookie.cancelPendingStoresLocked();
        object.accepted.raiseDeferredLocked();
    }

    void doWork()
    {
        final CacheEngine engine = object.engine;
        engine.counters().inc(StatCounter.STORE_CALLS);
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
            final int batch = engine.options().storeBatchPages();
            int written = 0;
            while (true)
            {
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

                    if (object.ops.nExclusive > 0)
                    {
                        object.accepted.handOverWriterLocked(cookie);
                        finishLocked();
                        return;
                    }

                    if (written >= batch)
                    {
                        if (engine.pool().hasWaitingTasks())
                        {
                            object.ops.requeueLocked(this);
                            return;
                        }
                        // Nothing else waits for a pool thread: handing this one over would only cost a wake-up.
                        written = 0;
                    }

                    storeLimit = object.storeLimit;
                    CachePage page;
                    while (written + taken.size() < batch && null != (page = cookie.takePendingStoreLocked(storeLimit)))
                    {
                        taken.add(page);
                    }
                    if (taken.isEmpty())
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
                    result = taken.size() == 1 ? object.cache.backend.writePage(this, taken.get(0)) :
                        object.cache.backend.writePages(this, takenView);
                }
                catch (final RuntimeException | LinkageError | AssertionError ex)
                {
                    engine.backendFailed(object.cache, ex);
                    result = Result.IO_ERROR;
                }

                object.lock.lock();
                try
                {
                    cookie.endPageWritesLocked(taken);
                    object.accepted.batchStoredLocked();
                    written += taken.size();
                    taken.clear();
                    if (result != Result.OK)
                    {
                        object.machine.raiseEventLocked(ObjectStateMachine.EV_ERROR);
                        cookie.cancelPendingStoresLocked();
                        finishLocked();
                        return;
                    }
                }
                finally
                {
                    object.lock.unlock();
                }
            }
        }
        finally
        {
            object.release(grabbed);
        }
    }

    private void finishLocked()
    {
        object.accepted.writerEndedLocked(this);
        object.ops.completeLocked(this);
        object.accepted.raiseDeferredLocked();
        cookie.changed.signalAll();
    }
}
