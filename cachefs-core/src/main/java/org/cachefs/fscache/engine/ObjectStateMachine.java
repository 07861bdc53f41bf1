package org.cachefs.fscache.engine;

import org.cachefs.fscache.Result;
import org.cachefs.fscache.StatCounter;
import org.cachefs.fscache.spi.CacheObject;
import org.cachefs.fscache.spi.ObjectState;

import java.util.concurrent.locks.ReentrantLock;

import static org.cachefs.fscache.spi.ObjectState.ABORT_INIT;
import static org.cachefs.fscache.spi.ObjectState.ACTIVE;
import static org.cachefs.fscache.spi.ObjectState.AVAILABLE;
import static org.cachefs.fscache.spi.ObjectState.CREATING;
import static org.cachefs.fscache.spi.ObjectState.DEAD;
import static org.cachefs.fscache.spi.ObjectState.DYING;
import static org.cachefs.fscache.spi.ObjectState.INIT;
import static org.cachefs.fscache.spi.ObjectState.LC_DYING;
import static org.cachefs.fscache.spi.ObjectState.LOOKING_UP;
import static org.cachefs.fscache.spi.ObjectState.RECYCLING;
import static org.cachefs.fscache.spi.ObjectState.RELEASING;
import static org.cachefs.fscache.spi.ObjectState.UPDATING;
import static org.cachefs.fscache.spi.ObjectState.WITHDRAWING;

/**
 * The state machine of one object ({@code fscache_object_work_func} and its states): the object's state and pending
 * events, the lookup reports of the backend, and the steps from lookup to death, each decided under the lock and
 * performed without it (a step's backend calls are made by {@link ObjectLifecycleCalls}). It is the pool task of its
 * object, queued at most once at a time ({@link #queued}).
 * <p>
 * Threading: {@link #state}, {@link #events} and {@link #queued} are guarded by the object's lock (the lock of its
 * cookie); {@link #state} is volatile and also read without it. {@link #doWork()} runs on one pool thread at a time;
 * any thread raises events and enqueues. While deciding with its own lock held it may take the parent object's lock
 * (child before parent), never the reverse. {@link #setStateLocked} is the only place that changes the state.
 */
final class ObjectStateMachine extends PoolTask
{
    static final int EV_UPDATE = 1;
    static final int EV_CLEARED = 1 << 1;
    static final int EV_ERROR = 1 << 2;
    static final int EV_RELEASE = 1 << 3;
    static final int EV_RETIRE = 1 << 4;
    static final int EV_WITHDRAW = 1 << 5;
    static final int DEATH_EVENTS = EV_ERROR | EV_RELEASE | EV_RETIRE | EV_WITHDRAW;

    private static final int ACT_NONE = 0;
    private static final int ACT_CONTINUE = 1;
    private static final int ACT_LOOKUP = 2;
    private static final int ACT_AVAILABLE = 3;
    private static final int ACT_UPDATE = 4;
    private static final int ACT_LC_DYING = 5;
    private static final int ACT_ABORT_INIT = 6;
    private static final int ACT_WAKE_DEPENDENTS = 7;
    private static final int ACT_DROP = 8;

    private static final int MAX_STEPS_PER_RUN = 32;

    private final FsObject object;
    private final CacheImpl cache;
    private final FsObject parent;
    private final ReentrantLock lock;
    private final ObjectLifecycleCalls calls;

    private volatile ObjectState state = INIT;
    int events;
    boolean queued;
    private boolean lookupStarted;
    private boolean lookedUp;
    private boolean availableDone;

    ObjectStateMachine(final FsObject object)
    {
        super(object.engine);
        this.object = object;
        this.cache = object.cache;
        this.parent = object.parent;
        this.lock = object.lock;
        this.calls = new ObjectLifecycleCalls(object);
    }

    ObjectState state()
    {
        return state;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Lookup reports from the backend.
    // ---------------------------------------------------------------------------------------------------------------

    void lookupNegative()
    {
        lock.lock();
        try
        {
            if (state == LOOKING_UP && !lookedUp)
            {
                lookedUp = true;
                engine.counters().inc(StatCounter.LOOKUPS_NEGATIVE);
                setStateLocked(CREATING);
                object.cookie.lookupNegativeLocked();
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    void obtainedObject()
    {
        lock.lock();
        try
        {
            switch (state)
            {
                case LOOKING_UP:
                    lookedUp = true;
                    engine.counters().inc(StatCounter.LOOKUPS_POSITIVE);
                    object.cookie.lookupPositiveLocked();
                    setStateLocked(AVAILABLE);
                    enqueueLocked();
                    break;

                case CREATING:
                    engine.counters().inc(StatCounter.LOOKUPS_CREATED);
                    setStateLocked(AVAILABLE);
                    enqueueLocked();
                    break;

                case INIT:
                case AVAILABLE:
                case ACTIVE:
                case UPDATING:
                    throw new IllegalStateException("obtainedObject called on " + object + " in state " + state +
                        ": it may be called once, during the lookup");

                default:
                    break;
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    void lookupError()
    {
        lock.lock();
        try
        {
            if (state.isBeforeAvailable())
            {
                raiseEventLocked(EV_ERROR);
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Events and scheduling.
    // ---------------------------------------------------------------------------------------------------------------

    void raiseEventLocked(final int event)
    {
        events |= event;
        enqueueLocked();
    }

    void enqueueLocked()
    {
        if (!queued)
        {
            queued = true;
            engine.pool().execute(this);
        }
    }

    void enqueue()
    {
        lock.lock();
        try
        {
            enqueueLocked();
        }
        finally
        {
            lock.unlock();
        }
    }

    private void setStateLocked(final ObjectState next)
    {
        state = state.transitionTo(next);
    }

    /**
     * Make a cache's master index object active; called once by addCache.
     */
    void activateMasterIndexLocked()
    {
        setStateLocked(ACTIVE);
        availableDone = true;
        lookedUp = true;
        object.attached = true;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The state machine.
    // ---------------------------------------------------------------------------------------------------------------

    void doWork()
    {
        for (int step = 0; step < MAX_STEPS_PER_RUN; step++)
        {
            final int action;
            lock.lock();
            try
            {
                action = decideLocked();
                if (action == ACT_NONE)
                {
                    queued = false;
                    return;
                }
            }
            finally
            {
                lock.unlock();
            }

            perform(action);
        }

        lock.lock();
        try
        {
            queued = false;
            enqueueLocked();
        }
        finally
        {
            lock.unlock();
        }
    }

    private int decideLocked()
    {
        switch (state)
        {
            case INIT:
                return decideInitLocked();

            case LOOKING_UP:
                if (!lookupStarted)
                {
                    lookupStarted = true;
                    return ACT_LOOKUP;
                }
                return lookupTransitLocked();

            case CREATING:
                return lookupTransitLocked();

            case AVAILABLE:
                if (!availableDone)
                {
                    availableDone = true;
                    object.cookie.lookupFinishedLocked();
                    object.ops.availableLocked();
                    object.family.takeDependentsLocked();
                    engine.counters().inc(StatCounter.OBJECTS_AVAILABLE);
                    return ACT_AVAILABLE;
                }
                return activeTransitLocked();

            case ACTIVE:
                return activeTransitLocked();

            case DYING:
                return dyingTransitLocked();

            default:
                return ACT_NONE;
        }
    }

    private int decideInitLocked()
    {
        if ((events & DEATH_EVENTS) != 0 || cache.isWithdrawn() || cache.isIoError())
        {
            events |= EV_WITHDRAW;
            setStateLocked(ABORT_INIT);
            return ACT_ABORT_INIT;
        }

        if (null == parent)
        {
            return ACT_NONE;
        }

        final FsObject before = object.predecessor;
        if (null != before && !before.dead)
        {
            return ACT_NONE;
        }

        parent.lock.lock();
        try
        {
            final ObjectState parentState = parent.machine.state;
            if (parentState.isDying())
            {
                events |= EV_WITHDRAW;
                setStateLocked(ABORT_INIT);
                return ACT_ABORT_INIT;
            }

            if (parentState.isBeforeAvailable())
            {
                object.family.waitOnParentLocked(parentState);
                return ACT_NONE;
            }

            object.family.holdParentOpLocked();
        }
        finally
        {
            parent.lock.unlock();
        }

        setStateLocked(LOOKING_UP);
        return ACT_CONTINUE;
    }

    private int lookupTransitLocked()
    {
        if ((events & DEATH_EVENTS) != 0)
        {
            setStateLocked(LC_DYING);
            return ACT_LC_DYING;
        }

        return ACT_NONE;
    }

    private int activeTransitLocked()
    {
        if ((events & DEATH_EVENTS) != 0)
        {
            setStateLocked(DYING);
            enterDyingLocked();
            return ACT_WAKE_DEPENDENTS;
        }

        if ((events & EV_UPDATE) != 0)
        {
            events &= ~EV_UPDATE;
            setStateLocked(UPDATING);
            return ACT_UPDATE;
        }

        events &= ~EV_CLEARED;
        if (state == AVAILABLE)
        {
            setStateLocked(ACTIVE);
        }

        return ACT_NONE;
    }

    private int dyingTransitLocked()
    {
        events &= ~EV_CLEARED;
        if (object.ops.nOps > 0 || object.family.nChildren > 0)
        {
            return ACT_NONE;
        }

        if ((events & EV_WITHDRAW) != 0)
        {
            setStateLocked(WITHDRAWING);
        }
        else if ((events & EV_RETIRE) != 0)
        {
            setStateLocked(RECYCLING);
        }
        else if ((events & EV_RELEASE) != 0)
        {
            setStateLocked(RELEASING);
        }
        else
        {
            setStateLocked(WITHDRAWING);
        }

        return ACT_DROP;
    }

    private void perform(final int action)
    {
        switch (action)
        {
            case ACT_LOOKUP:
                performLookup();
                break;

            case ACT_AVAILABLE:
                calls.lookupComplete();
                object.family.doneParentOp();
                object.family.wakeDependents();
                break;

            case ACT_UPDATE:
                performUpdate();
                break;

            case ACT_LC_DYING:
                calls.lookupComplete();
                lock.lock();
                try
                {
                    setStateLocked(DYING);
                    enterDyingLocked();
                }
                finally
                {
                    lock.unlock();
                }
                object.family.doneParentOp();
                object.family.wakeDependents();
                break;

            case ACT_ABORT_INIT:
                object.family.stopWaitingOnParent();
                lock.lock();
                try
                {
                    setStateLocked(DYING);
                    enterDyingLocked();
                }
                finally
                {
                    lock.unlock();
                }
                object.family.wakeDependents();
                break;

            case ACT_WAKE_DEPENDENTS:
                object.family.wakeDependents();
                break;

            case ACT_DROP:
                performDrop();
                break;

            default:
                break;
        }
    }

    private void performLookup()
    {
        engine.counters().inc(StatCounter.LOOKUPS);
        if (cache.isIoError() || cache.isWithdrawn())
        {
            raiseEvent(EV_WITHDRAW);
            return;
        }

        if (!calls.lookup())
        {
            lookupError();
        }
    }

    private void performUpdate()
    {
        engine.counters().inc(StatCounter.UPDATES_RUN);
        Result result = Result.OK;
        if (!cache.isIoError() && !cache.isWithdrawn())
        {
            result = calls.update();
        }

        lock.lock();
        try
        {
            if (result == Result.IO_ERROR)
            {
                events |= EV_ERROR;
            }
            setStateLocked(ACTIVE);
        }
        finally
        {
            lock.unlock();
        }
    }

    private void performDrop()
    {
        final CacheObject backendObject = object.backendObject;
        calls.drop(backendObject);

        object.family.leaveParent();

        lock.lock();
        try
        {
            setStateLocked(DEAD);
        }
        finally
        {
            lock.unlock();
        }
        engine.counters().inc(StatCounter.OBJECTS_DEAD);

        final FsObject next = cache.objectDead(object);
        calls.putDropped(backendObject);

        if (null != next)
        {
            next.machine.enqueue();
        }
    }

    private void raiseEvent(final int event)
    {
        lock.lock();
        try
        {
            raiseEventLocked(event);
        }
        finally
        {
            lock.unlock();
        }
    }

    private void enterDyingLocked()
    {
        object.detachLocked();
        object.ops.cancelPendingLocked();
        object.family.takeDependentsLocked();
    }
}
