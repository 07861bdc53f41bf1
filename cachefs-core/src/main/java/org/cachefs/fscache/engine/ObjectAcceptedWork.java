package org.cachefs.fscache.engine;

import org.cachefs.fscache.StatCounter;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The work an object accepted from the netfs and has not applied yet: its storage operation (at most one, writing
 * the cookie's queued pages), the attribute changes in flight, and a release held back behind them, so that neither a
 * truncation nor a page the netfs wrote just before relinquishing is lost. A withdrawal waits here for that work to
 * be applied ({@link #awaitAccepted}).
 * <p>
 * Threading: guarded by the object's lock (the lock of its cookie); {@link CookieImpl#changed} is signalled when an
 * attribute change ends.
 */
final class ObjectAcceptedWork
{
    private final FsObject object;
    private final ReentrantLock lock;

    private StorageOp writer;
    private int attrOps;
    /** Attribute changes and storage batches that ended: the progress {@link #awaitAccepted} watches. */
    private long applied;
    private int deferredEvents;

    ObjectAcceptedWork(final FsObject object)
    {
        this.object = object;
        this.lock = object.lock;
    }

    /**
     * Release without retirement: deferred while accepted attribute changes or queued page writes remain, so that
     * neither a truncation nor a page the netfs wrote just before relinquishing is lost.
     */
    void releaseLocked()
    {
        if (attrOps > 0 || null != writer)
        {
            deferredEvents |= ObjectStateMachine.EV_RELEASE;
        }
        else
        {
            object.machine.raiseEventLocked(ObjectStateMachine.EV_RELEASE);
        }
    }

    /**
     * An attribute change was submitted.
     */
    void attrOpAcceptedLocked()
    {
        attrOps++;
    }

    void attrOpEndedLocked()
    {
        attrOps--;
        applied++;
        raiseDeferredLocked();
        object.cookie.changed.signalAll();
    }

    /**
     * Waits until the attribute changes accepted for this object have run and its queued page writes are stored:
     * until the deadline, and no longer than {@code stallNanos} without any of them ending (a device that stopped
     * answering holds the storage operation; waiting longer would not get anything stored).
     *
     * @return true if nothing accepted is left.
     */
    boolean awaitAccepted(final long deadlineNanos, final long stallNanos)
    {
        lock.lock();
        try
        {
            long seen = applied;
            long stallDeadline = System.nanoTime() + stallNanos;
            while (null != writer || attrOps > 0)
            {
                final long now = System.nanoTime();
                if (applied != seen)
                {
                    seen = applied;
                    stallDeadline = now + stallNanos;
                }
                final long remaining = Math.min(deadlineNanos, stallDeadline) - now;
                if (remaining <= 0)
                {
                    return false;
                }
                object.cookie.changed.awaitNanos(remaining);
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
            lock.unlock();
        }
    }

    /**
     * Raises the deferred release once nothing holds it back any more.
     */
    void raiseDeferredLocked()
    {
        if (attrOps == 0 && null == writer && deferredEvents != 0)
        {
            final int event = deferredEvents;
            deferredEvents = 0;
            object.machine.raiseEventLocked(event);
        }
    }

    /**
     * Start a storage operation for the cookie's pending pages if none is running.
     */
    void startWriterLocked(final CookieImpl owner)
    {
        if (null != writer || !owner.hasPendingStoresLocked())
        {
            return;
        }

        final StorageOp op = new StorageOp(owner, object);
        if (object.ops.submitLocked(op))
        {
            writer = op;
            object.engine.counters().inc(StatCounter.STORE_OPS);
        }
        else
        {
            owner.cancelPendingStoresLocked();
        }
    }

    /**
     * The storage operation stops for an exclusive operation queued behind it: a fresh one, queued behind that, takes
     * the remaining pages.
     */
    void handOverWriterLocked(final CookieImpl owner)
    {
        writer = null;
        startWriterLocked(owner);
    }

    /**
     * The storage operation stored a batch of pages (or failed to).
     */
    void batchStoredLocked()
    {
        applied++;
    }

    /**
     * A storage operation ended or was cancelled: it is no longer the object's writer.
     */
    void writerEndedLocked(final StorageOp op)
    {
        if (writer == op)
        {
            writer = null;
        }
    }

    String describeLocked()
    {
        return " attr=" + attrOps + " dfr=" + Integer.toHexString(deferredEvents);
    }
}
