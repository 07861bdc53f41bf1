package org.cachefs.fscache.engine;

import org.cachefs.fscache.Result;
import org.cachefs.fscache.StatCounter;
import org.cachefs.fscache.spi.CacheBackend;
import org.cachefs.fscache.spi.CacheObject;

/**
 * The exclusive attribute change operation ({@code fscache_attr_changed_op}): runs on the pool with the object's
 * reads and writes excluded, calls the backend's {@code attr_changed} under the object lock with
 * {@link org.cachefs.fscache.spi.CacheObject#objectSize()} giving the size reported when the change was made, and
 * withdraws the object from service if that fails.
 */
final class AttrChangedOp extends Operation
{
    private final long size;

    AttrChangedOp(final FsObject object, final long size)
    {
        super(object, true);
        this.size = size;
    }

    boolean hasProcessor()
    {
        return true;
    }

    void onCancelledLocked()
    {
        object.accepted.attrOpEndedLocked();
    }

    void doWork()
    {
        final CacheEngine engine = object.engine;
        engine.counters().inc(StatCounter.ATTR_CHANGED_CALLS);
        final CacheBackend backend = object.cache.backend;
        Result result = Result.OK;
        try
        {
            final CacheObject grabbed = object.isActive() ? object.grab() : null;
            if (null != grabbed)
            {
                try
                {
                    backend.lockObject(grabbed);
                    object.attrChangeSize = size;
                    try
                    {
                        result = backend.attrChanged(grabbed);
                    }
                    finally
                    {
                        object.attrChangeSize = -1;
                        backend.unlockObject(grabbed);
                    }
                }
                catch (final RuntimeException | LinkageError | AssertionError ex)
                {
                    engine.backendFailed(object.cache, ex);
                    result = Result.IO_ERROR;
                }
                finally
                {
                    object.release(grabbed);
                }
            }
        }
        finally
        {
            object.lock.lock();
            try
            {
                if (result != Result.OK)
                {
                    object.machine.raiseEventLocked(ObjectStateMachine.EV_ERROR);
                }
                object.ops.completeLocked(this);
                object.accepted.attrOpEndedLocked();
            }
            finally
            {
                object.lock.unlock();
            }
        }
    }
}
