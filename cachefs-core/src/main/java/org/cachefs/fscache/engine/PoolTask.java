package org.cachefs.fscache.engine;

/**
 * A unit of work for the {@link OperationPool}: an object's state machine or an operation. Subclasses implement
 * {@link #doWork()}; {@link #run()} reports anything thrown to the error handler and tells the pool the task is done.
 */
abstract class PoolTask implements Runnable
{
    final CacheEngine engine;

    PoolTask(final CacheEngine engine)
    {
        this.engine = engine;
    }

    public final void run()
    {
        try
        {
            doWork();
        }
        catch (final Throwable ex)
        {
            engine.reportError(ex);
        }
        finally
        {
            engine.pool().taskDone();
        }
    }

    abstract void doWork();
}
