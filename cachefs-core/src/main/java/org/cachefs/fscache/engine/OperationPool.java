package org.cachefs.fscache.engine;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The FS-Cache thread pool: a fixed number of daemon threads draining one unbounded FIFO queue of
 * {@link PoolTask}s (object state machines and operations).
 * <p>
 * Threading: {@link #execute(PoolTask)} may be called from any thread, also while holding a cookie lock (it never
 * blocks). Ordering and exclusion between tasks of one object are not the pool's business: each object runs its state
 * machine on one thread at a time and admits operations through its own queue (see {@link FsObject}).
 * The pool counts outstanding tasks so that {@link #awaitIdle(long)} can wait for quiescence.
 */
final class OperationPool
{
    private final ThreadPoolExecutor executor;
    private final AtomicInteger outstanding = new AtomicInteger();
    private final ReentrantLock idleLock = new ReentrantLock();
    private final Condition idle = idleLock.newCondition();

    OperationPool(final int threadCount)
    {
        final AtomicInteger threadNumber = new AtomicInteger();
        final ThreadFactory factory = (runnable) ->
        {
            final Thread thread = new PoolThread(this, runnable, "fscache-pool-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };

        executor = new ThreadPoolExecutor(
            threadCount, threadCount, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), factory);
    }

    /**
     * Queue a task; after shutdown the task runs on the calling thread.
     */
    void execute(final PoolTask task)
    {
        outstanding.incrementAndGet();
        try
        {
            executor.execute(task);
        }
        catch (final RejectedExecutionException ex)
        {
            task.run();
        }
    }

    /**
     * @return true if tasks wait in the queue for a pool thread.
     */
    boolean hasWaitingTasks()
    {
        return !executor.getQueue().isEmpty();
    }

    void taskDone()
    {
        if (outstanding.decrementAndGet() == 0)
        {
            idleLock.lock();
            try
            {
                idle.signalAll();
            }
            finally
            {
                idleLock.unlock();
            }
        }
    }

    boolean awaitIdle(final long timeoutNs)
    {
        long remainingNs = timeoutNs;
        idleLock.lock();
        try
        {
            while (outstanding.get() != 0)
            {
                if (remainingNs <= 0)
                {
                    return false;
                }
                remainingNs = idle.awaitNanos(remainingNs);
            }

            return true;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
        finally
        {
            idleLock.unlock();
        }
    }

    boolean isPoolThread()
    {
        final Thread thread = Thread.currentThread();
        return thread instanceof PoolThread && ((PoolThread)thread).pool == this;
    }

    void shutdown(final long timeoutNs)
    {
        executor.shutdown();
        try
        {
            if (!executor.awaitTermination(timeoutNs, TimeUnit.NANOSECONDS))
            {
                executor.shutdownNow();
            }
        }
        catch (final InterruptedException ex)
        {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static final class PoolThread extends Thread
    {
        final OperationPool pool;

        PoolThread(final OperationPool pool, final Runnable runnable, final String name)
        {
            super(runnable, name);
            this.pool = pool;
        }
    }
}
