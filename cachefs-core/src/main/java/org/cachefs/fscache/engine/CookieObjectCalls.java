package org.cachefs.fscache.engine;

import org.cachefs.fscache.Result;
import org.cachefs.fscache.StatCounter;
import org.cachefs.fscache.spi.CacheBackend;
import org.cachefs.fscache.spi.CacheObject;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The calls of one cookie on its objects that are not page I/O: {@code fscache_update_cookie} (new aux data, an
 * update event on every backing object), {@code fscache_attr_changed} (an exclusive attribute change operation,
 * dropping the queued writes past a new, smaller end), and {@code fscache_pin_cookie}, {@code fscache_unpin_cookie}
 * and {@code fscache_reserve_space} (a {@link CallerOp} run on the calling thread).
 * <p>
 * Threading: runs on the calling netfs thread, under the cookie's lock ({@link CookieImpl#lock}) except while it
 * calls the backend. Holds no state of its own.
 */
final class CookieObjectCalls
{
    private static final int CALLER_PIN = 0;
    private static final int CALLER_UNPIN = 1;
    private static final int CALLER_RESERVE = 2;

    private final CookieImpl cookie;
    private final ReentrantLock lock;

    CookieObjectCalls(final CookieImpl cookie)
    {
        this.cookie = cookie;
        this.lock = cookie.lock;
    }

    /**
     * Take new aux data, checked by the caller, and raise the update event on every backing object.
     */
    void update(final byte[] newAux)
    {
        lock.lock();
        try
        {
            cookie.binding.checkNotRelinquishedLocked("update");
            cookie.aux = newAux;
            cookie.binding.raiseEventLocked(ObjectStateMachine.EV_UPDATE);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Submit an attribute change to a new size, checked by the caller.
     */
    Result attrChanged(final long newSize)
    {
        final Stats stats = cookie.engine.counters();
        lock.lock();
        try
        {
            cookie.binding.checkNotRelinquishedLocked("attrChanged");
            if (newSize < cookie.size)
            {
                final int pageSize = cookie.engine.pageSize();
                cookie.writes.cancelQueuedStoresFromLocked((newSize + pageSize - 1) / pageSize);
            }
            cookie.size = newSize;
            final FsObject object = cookie.binding.firstObjectLocked();
            if (null == object || !object.ops.submitLocked(new AttrChangedOp(object, newSize)))
            {
                stats.inc(StatCounter.ATTR_CHANGED_NO_BUFS);
                return Result.NO_BUFS;
            }
            object.accepted.attrOpAcceptedLocked();
            stats.inc(StatCounter.ATTR_CHANGED_OK);
            return Result.OK;
        }
        finally
        {
            lock.unlock();
        }
    }

    Result pin()
    {
        return runCallerOp(CALLER_PIN, 0);
    }

    void unpin()
    {
        runCallerOp(CALLER_UNPIN, 0);
    }

    Result reserveSpace(final long size)
    {
        return runCallerOp(CALLER_RESERVE, size);
    }

    private Result runCallerOp(final int kind, final long reserveSize)
    {
        final CookieBinding binding = cookie.binding;
        final CallerOp op;
        lock.lock();
        try
        {
            binding.checkNotRelinquishedLocked(
                kind == CALLER_PIN ? "pin" : kind == CALLER_UNPIN ? "unpin" : "reserveSpace");
            if (null == binding.firstObjectLocked())
            {
                return Result.NO_BUFS;
            }

            binding.awaitLookupUninterruptiblyLocked();

            final FsObject object = binding.firstObjectLocked();
            if (null == object)
            {
                return Result.NO_BUFS;
            }

            op = new CallerOp(object);
            if (!object.ops.submitLocked(op))
            {
                return Result.NO_BUFS;
            }
        }
        finally
        {
            lock.unlock();
        }

        final FsObject object = op.object;
        Result result = Result.NO_BUFS;
        try
        {
            if (binding.awaitStarted(op, null) && object.isActive())
            {
                final CacheObject grabbed = object.grab();
                if (null != grabbed)
                {
                    final CacheBackend backend = object.cache.backend;
                    try
                    {
                        backend.lockObject(grabbed);
                        try
                        {
                            switch (kind)
                            {
                                case CALLER_PIN:
                                    result = backend.pinObject(grabbed);
                                    break;

                                case CALLER_UNPIN:
                                    backend.unpinObject(grabbed);
                                    result = Result.OK;
                                    break;

                                default:
                                    result = backend.reserveSpace(grabbed, reserveSize);
                                    break;
                            }
                        }
                        finally
                        {
                            backend.unlockObject(grabbed);
                        }
                    }
                    catch (final RuntimeException | LinkageError | AssertionError ex)
                    {
                        cookie.engine.backendFailed(object.cache, ex);
                        result = Result.IO_ERROR;
                    }
                    finally
                    {
                        object.release(grabbed);
                    }
                }
            }
        }
        finally
        {
            lock.lock();
            try
            {
                object.ops.completeLocked(op);
            }
            finally
            {
                lock.unlock();
            }
        }

        return null == result ? Result.NO_BUFS : result;
    }
}
