package org.cachefs.fscache.engine;

import org.cachefs.fscache.spi.ObjectState;

import java.util.ArrayList;
import java.util.concurrent.locks.ReentrantLock;

import static org.cachefs.fscache.spi.ObjectState.DYING;
import static org.cachefs.fscache.spi.ObjectState.INIT;

/**
 * An object's ties to its parent and children in the same cache: the children not yet dropped (which keep it from
 * dying), the children waiting for it to become available (its dependents), whether it waits on its parent, and the
 * operation it holds on its parent while it is being looked up.
 * <p>
 * Threading: {@link #nChildren} and the dependents are guarded by the object's lock; {@link #waitingOnParent} by
 * the parent's lock. The lookup hold and the dependents taken to be woken are used only by the thread running the
 * object's state machine. A child takes its parent's lock only while holding its own or none (child before parent).
 */
final class ObjectFamily
{
    private final FsObject object;
    private final FsObject parent;
    private final ReentrantLock lock;

    /** Children allocated and not yet dropped. */
    int nChildren;
    private final ArrayList<FsObject> dependents = new ArrayList<>();

    /**
     * Guarded by the parent's lock: whether this object is in the parent's dependents list.
     */
    private boolean waitingOnParent;

    /**
     * Used only by the thread running the state machine.
     */
    private boolean holdsParentOp;
    private final ArrayList<FsObject> toWake = new ArrayList<>();

    ObjectFamily(final FsObject object)
    {
        this.object = object;
        this.parent = object.parent;
        this.lock = object.lock;
    }

    /**
     * A child object was allocated below this one.
     */
    void childAdded()
    {
        lock.lock();
        try
        {
            nChildren++;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Called with this object's lock and the parent's held, while the parent is not available yet: joins the
     * parent's dependents, to be woken when it is, and gets the parent's state machine going if it has not started.
     */
    void waitOnParentLocked(final ObjectState parentState)
    {
        if (!waitingOnParent)
        {
            waitingOnParent = true;
            parent.family.dependents.add(object);
            if (parentState == INIT)
            {
                parent.machine.enqueueLocked();
            }
        }
    }

    /**
     * Called with this object's lock and the parent's held, as the lookup begins: the lookup holds an object
     * operation on the parent until it completes ({@link #doneParentOp()}).
     */
    void holdParentOpLocked()
    {
        parent.ops.childLookupStartedLocked();
        holdsParentOp = true;
    }

    /**
     * The lookup ended: release the operation held on the parent.
     */
    void doneParentOp()
    {
        if (!holdsParentOp)
        {
            return;
        }

        holdsParentOp = false;
        parent.lock.lock();
        try
        {
            parent.ops.childLookupEndedLocked();
        }
        finally
        {
            parent.lock.unlock();
        }
    }

    /**
     * The object was aborted before its lookup: leave the parent's dependents.
     */
    void stopWaitingOnParent()
    {
        if (null == parent)
        {
            return;
        }

        parent.lock.lock();
        try
        {
            if (waitingOnParent)
            {
                waitingOnParent = false;
                parent.family.dependents.remove(object);
            }
        }
        finally
        {
            parent.lock.unlock();
        }
    }

    /**
     * The object was dropped: it no longer keeps its parent from dying.
     */
    void leaveParent()
    {
        if (null == parent)
        {
            return;
        }

        parent.lock.lock();
        try
        {
            final ObjectFamily parentFamily = parent.family;
            parentFamily.nChildren--;
            if (parentFamily.nChildren == 0 && parent.machine.state() == DYING)
            {
                parent.machine.raiseEventLocked(ObjectStateMachine.EV_CLEARED);
            }
        }
        finally
        {
            parent.lock.unlock();
        }
    }

    /**
     * Takes the dependents out of the list, to be woken by {@link #wakeDependents()} once the lock is released.
     */
    void takeDependentsLocked()
    {
        for (int i = 0, size = dependents.size(); i < size; i++)
        {
            final FsObject dependent = dependents.get(i);
            dependent.family.waitingOnParent = false;
            toWake.add(dependent);
        }
        dependents.clear();
    }

    void wakeDependents()
    {
        for (int i = 0, size = toWake.size(); i < size; i++)
        {
            toWake.get(i).machine.enqueue();
        }
        toWake.clear();
    }
}
