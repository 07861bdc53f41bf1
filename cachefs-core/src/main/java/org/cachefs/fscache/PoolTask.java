package org.cachefs.fscache;

/**
 * A unit of work for the {@link OperationPool}: an object's state machine or an operation. Subclasses implement
 * {@link #doWork()}; {@link #run()} reports anything thrown to the error handler and tells the pool the task is done.
 */
abstract class PoolTask implements Runnable
{
    final FsCache fsCache;

    PoolTask(final FsCache fsCache)
    {
        this.fsCache = fsCache;
    }

    public final void run()
    {
        try
        {
            doWork();
        }
        catch (final Throwable ex)
        {
            fsCache.reportError(ex);
        }
        finally
        {
            fsCache.pool().taskDone();
        }
    }

    abstract void doWork();
}
