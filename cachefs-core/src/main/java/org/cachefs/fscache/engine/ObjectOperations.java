package org.cachefs.fscache.engine;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.StatCounter;

import java.util.ArrayDeque;

import static org.cachefs.fscache.spi.ObjectState.DYING;

/**
 * The admission of operations on one object ({@code fscache_submit_op} and its kin): the counts of operations
 * submitted, in progress and exclusive, and the FIFO queue of those waiting. Shared operations run together; an
 * exclusive one waits for those in progress and holds back every operation submitted after it. Operations submitted
 * before the object is available wait until it is. A dying object is cleared for dropping once its count of
 * operations reaches zero.
 * <p>
 * Threading: guarded by the object's lock (the lock of its cookie). A child object being looked up holds an
 * operation on its parent, counted here under the parent's lock.
 */
final class ObjectOperations
{
    private final FsObject object;

    /** Operations submitted and not yet completed or cancelled, child lookups included. */
    int nOps;
    /** Lookups of child objects holding an operation on this one. */
    int nObjOps;
    int nInProgress;
    int nExclusive;
    private final ArrayDeque<Operation> pendingOps = new ArrayDeque<>();

    ObjectOperations(final FsObject object)
    {
        this.object = object;
    }

    /**
     * Whether a page is over the store limit now and no exclusive operation (an attribute change that may move the
     * limit) is queued ahead; otherwise the limit is checked again when the page's operation runs.
     */
    boolean isOverStoreLimitLocked(final CachePage page)
    {
        return nExclusive == 0 && page.index() >= object.storeLimit;
    }

    /**
     * Whether an exclusive operation (an attribute change) is queued or running.
     */
    boolean exclusiveQueuedLocked()
    {
        return nExclusive != 0;
    }

    boolean submitLocked(final Operation op)
    {
        if (!object.acceptsOpsLocked())
        {
            return false;
        }

        nOps++;
        if (op.exclusive)
        {
            nExclusive++;
        }

        if (object.machine.state().isRunning() && pendingOps.isEmpty() &&
            (op.exclusive ? nInProgress == 0 : nExclusive == 0))
        {
            startLocked(op);
        }
        else
        {
            op.state = Operation.PENDING;
            pendingOps.addLast(op);
            object.engine.counters().inc(StatCounter.OPS_PENDING);
        }

        return true;
    }

    private void startLocked(final Operation op)
    {
        nInProgress++;
        op.state = Operation.IN_PROGRESS;
        final CacheEngine engine = object.engine;
        engine.counters().inc(StatCounter.OPS_RUN);
        if (op.hasProcessor())
        {
            engine.counters().inc(StatCounter.OPS_ENQUEUED);
            engine.pool().execute(op);
        }
        object.cookie.changed.signalAll();
    }

    /**
     * The object became available: the operations queued for it start, unless some are still in progress.
     */
    void availableLocked()
    {
        if (nInProgress == 0)
        {
            startOperationsLocked();
        }
    }

    private void startOperationsLocked()
    {
        if (!object.machine.state().isRunning())
        {
            return;
        }

        while (!pendingOps.isEmpty())
        {
            final Operation op = pendingOps.peekFirst();
            if (op.exclusive)
            {
                if (nInProgress > 0)
                {
                    break;
                }
                pendingOps.pollFirst();
                startLocked(op);
                break;
            }

            pendingOps.pollFirst();
            startLocked(op);
        }
    }

    void completeLocked(final Operation op)
    {
        if (op.state != Operation.IN_PROGRESS)
        {
            return;
        }

        op.state = Operation.COMPLETE;
        nInProgress--;
        nOps--;
        if (op.exclusive)
        {
            nExclusive--;
        }

        if (nInProgress == 0)
        {
            startOperationsLocked();
        }

        clearedIfDoneLocked();
    }

    void requeueLocked(final Operation op)
    {
        final CacheEngine engine = object.engine;
        engine.counters().inc(StatCounter.OPS_ENQUEUED);
        engine.pool().execute(op);
    }

    /**
     * The object is dying: every operation still queued is cancelled.
     */
    void cancelPendingLocked()
    {
        while (!pendingOps.isEmpty())
        {
            final Operation op = pendingOps.pollFirst();
            op.state = Operation.CANCELLED;
            nOps--;
            if (op.exclusive)
            {
                nExclusive--;
            }
            op.onCancelledLocked();
        }
        object.cookie.changed.signalAll();
    }

    /**
     * A child's lookup starts and holds an operation on this object until it completes.
     */
    void childLookupStartedLocked()
    {
        nOps++;
        nObjOps++;
    }

    void childLookupEndedLocked()
    {
        nOps--;
        nObjOps--;
        clearedIfDoneLocked();
    }

    int pendingCountLocked()
    {
        return pendingOps.size();
    }

    private void clearedIfDoneLocked()
    {
        if (nOps == 0 && object.machine.state() == DYING)
        {
            object.machine.raiseEventLocked(ObjectStateMachine.EV_CLEARED);
        }
    }
}
