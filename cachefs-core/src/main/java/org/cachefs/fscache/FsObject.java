package org.cachefs.fscache;

import org.cachefs.fscache.spi.CacheBackend;
import org.cachefs.fscache.spi.CacheContext;
import org.cachefs.fscache.spi.CacheObject;
import org.cachefs.fscache.spi.ObjectContext;
import org.cachefs.fscache.spi.ObjectState;

import java.util.ArrayDeque;
import java.util.ArrayList;
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
 * The core's side of one object in one cache (the core half of {@code struct fscache_object}): its state machine,
 * events, operation admission, child and dependent bookkeeping, and the utilities backends call through
 * {@link CacheObject}.
 * <h2>Threading</h2>
 * All mutable fields except those marked otherwise are guarded by {@link #lock}, which is the lock of the object's
 * cookie. The state machine ({@link #doWork()}) runs on pool threads, on one thread at a time per object
 * ({@link #queued}); it decides under the lock and calls the backend without it. Another thread only raises events
 * and enqueues. A child may take its parent's lock while holding its own (child before parent); the reverse never
 * happens. {@link #predecessor} and {@link #successor} are guarded by the cache's objects lock.
 */
final class FsObject extends PoolTask implements ObjectContext
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

    final CacheImpl cache;
    final CookieImpl cookie;
    final FsObject parent;
    final int debugId;
    final ReentrantLock lock;
    final ObjectIdentity identity;

    volatile CacheObject backendObject;

    /**
     * The size of the attribute change being processed, or -1: each change is applied with the size the netfs
     * reported when it made it, so that a truncation followed by an extension is not collapsed into the latter.
     */
    volatile long attrChangeSize = -1;
    private volatile ObjectState state = INIT;

    int events;
    boolean queued;
    boolean attached;
    private boolean lookupStarted;
    private boolean lookedUp;
    private boolean availableDone;
    int nOps;
    int nObjOps;
    int nInProgress;
    int nExclusive;
    int nChildren;
    long storeLimit = Long.MAX_VALUE;
    StorageOp writer;
    int attrOps;
    /** Attribute changes and storage batches that ended: the progress {@link #awaitAccepted} watches. */
    long applied;
    int deferredEvents;
    private final ArrayDeque<Operation> pendingOps = new ArrayDeque<>();
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

    FsObject predecessor;
    FsObject successor;
    volatile boolean dead;

    FsObject(
        final FsCache fsCache,
        final CacheImpl cache,
        final CookieImpl cookie,
        final FsObject parent,
        final int debugId)
    {
        super(fsCache);
        this.cache = cache;
        this.cookie = cookie;
        this.parent = parent;
        this.debugId = debugId;
        this.lock = cookie.lock;
        this.identity = null == parent ? null : new ObjectIdentity(parent, cookie.key);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // ObjectContext: the utilities backends call through CacheObject.
    // ---------------------------------------------------------------------------------------------------------------

    public void init(final CacheObject object)
    {
        lock.lock();
        try
        {
            if (null != backendObject)
            {
                throw new IllegalStateException("object OBJ" + Integer.toHexString(debugId) + " already initialised");
            }
            backendObject = object;
        }
        finally
        {
            lock.unlock();
        }
        cache.objectInitialised();
    }

    public CacheContext cache()
    {
        return cache;
    }

    public CacheObject parent()
    {
        return null == parent ? null : parent.backendObject;
    }

    public int debugId()
    {
        return debugId;
    }

    public ObjectState state()
    {
        return state;
    }

    public CookieType type()
    {
        return cookie.type;
    }

    public String cookieName()
    {
        return cookie.name;
    }

    public byte[] key()
    {
        return cookie.key.clone();
    }

    public byte[] aux()
    {
        return cookie.aux.clone();
    }

    public long objectSize()
    {
        final long changing = attrChangeSize;
        return changing >= 0 ? changing : cookie.size;
    }

    public long storeLimit()
    {
        lock.lock();
        try
        {
            return storeLimit;
        }
        finally
        {
            lock.unlock();
        }
    }

    public void setStoreLimit(final long size)
    {
        if (size < 0)
        {
            throw new IllegalArgumentException("store limit must be >= 0: " + size);
        }

        final int pageSize = cache.pageSize();
        final long pages = size / pageSize + (size % pageSize != 0 ? 1 : 0);
        lock.lock();
        try
        {
            storeLimit = pages;
        }
        finally
        {
            lock.unlock();
        }
    }

    public CheckAux checkAux(final byte[] aux)
    {
        final Stats stats = fsCache.counters();
        if (!cookie.traits.checksAux)
        {
            stats.inc(StatCounter.CHECKAUX_NONE);
            return CheckAux.OKAY;
        }

        CheckAux result;
        try
        {
            result = cookie.def.checkAux(cookie.data, null == aux ? Cookies.EMPTY_BYTES : aux.clone());
            if (null == result)
            {
                throw new IllegalStateException("checkAux of cookie '" + cookie.name + "' returned null");
            }
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            fsCache.reportError(ex);
            result = CheckAux.OBSOLETE;
        }

        switch (result)
        {
            case OKAY:
                stats.inc(StatCounter.CHECKAUX_OKAY);
                break;

            case NEEDS_UPDATE:
                stats.inc(StatCounter.CHECKAUX_UPDATE);
                break;

            default:
                stats.inc(StatCounter.CHECKAUX_OBSOLETE);
                break;
        }

        return result;
    }

    public void lookupNegative()
    {
        lock.lock();
        try
        {
            if (state == LOOKING_UP && !lookedUp)
            {
                lookedUp = true;
                fsCache.counters().inc(StatCounter.LOOKUPS_NEGATIVE);
                setStateLocked(CREATING);
                cookie.lookupNegativeLocked();
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    public void obtainedObject()
    {
        lock.lock();
        try
        {
            switch (state)
            {
                case LOOKING_UP:
                    lookedUp = true;
                    fsCache.counters().inc(StatCounter.LOOKUPS_POSITIVE);
                    cookie.lookupPositiveLocked();
                    setStateLocked(AVAILABLE);
                    enqueueLocked();
                    break;

                case CREATING:
                    fsCache.counters().inc(StatCounter.LOOKUPS_CREATED);
                    setStateLocked(AVAILABLE);
                    enqueueLocked();
                    break;

                case INIT:
                case AVAILABLE:
                case ACTIVE:
                case UPDATING:
                    throw new IllegalStateException("obtainedObject called on " + this + " in state " + state +
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

    public void lookupError()
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

    /**
     * Raise the release event of a relinquishment without retirement; while attribute changes accepted from the
     * netfs are still outstanding, it is deferred until they complete, so that an accepted change (a truncation) is
     * not lost.
     */
    /**
     * Release without retirement: deferred while accepted attribute changes or queued page writes remain, so that
     * neither a truncation nor a page the netfs wrote just before relinquishing is lost.
     */
    void releaseLocked()
    {
        if (attrOps > 0 || null != writer)
        {
            deferredEvents |= EV_RELEASE;
        }
        else
        {
            raiseEventLocked(EV_RELEASE);
        }
    }

    void attrOpEndedLocked()
    {
        attrOps--;
        applied++;
        raiseDeferredLocked();
        cookie.changed.signalAll();
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
                cookie.changed.awaitNanos(remaining);
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
            raiseEventLocked(event);
        }
    }

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
            fsCache.pool().execute(this);
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
        attached = true;
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
                    cookie.lookupFinishedLocked();
                    if (nInProgress == 0)
                    {
                        startOperationsLocked();
                    }
                    takeDependentsLocked();
                    fsCache.counters().inc(StatCounter.OBJECTS_AVAILABLE);
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

        final FsObject before = predecessor;
        if (null != before && !before.dead)
        {
            return ACT_NONE;
        }

        parent.lock.lock();
        try
        {
            final ObjectState parentState = parent.state;
            if (parentState.isDying())
            {
                events |= EV_WITHDRAW;
                setStateLocked(ABORT_INIT);
                return ACT_ABORT_INIT;
            }

            if (parentState.isBeforeAvailable())
            {
                if (!waitingOnParent)
                {
                    waitingOnParent = true;
                    parent.dependents.add(this);
                    if (parentState == INIT)
                    {
                        parent.enqueueLocked();
                    }
                }
                return ACT_NONE;
            }

            parent.nOps++;
            parent.nObjOps++;
            holdsParentOp = true;
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
        if (nOps > 0 || nChildren > 0)
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
                callLookupComplete();
                doneParentOp();
                wakeDependents();
                break;

            case ACT_UPDATE:
                performUpdate();
                break;

            case ACT_LC_DYING:
                callLookupComplete();
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
                doneParentOp();
                wakeDependents();
                break;

            case ACT_ABORT_INIT:
                if (null != parent)
                {
                    parent.lock.lock();
                    try
                    {
                        if (waitingOnParent)
                        {
                            waitingOnParent = false;
                            parent.dependents.remove(this);
                        }
                    }
                    finally
                    {
                        parent.lock.unlock();
                    }
                }
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
                wakeDependents();
                break;

            case ACT_WAKE_DEPENDENTS:
                wakeDependents();
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
        fsCache.counters().inc(StatCounter.LOOKUPS);
        if (cache.isIoError() || cache.isWithdrawn())
        {
            raiseEvent(EV_WITHDRAW);
            return;
        }

        try
        {
            cache.backend.lookupObject(backendObject);
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            fsCache.backendFailed(cache, ex);
            lookupError();
        }
    }

    private void performUpdate()
    {
        fsCache.counters().inc(StatCounter.UPDATES_RUN);
        Result result = Result.OK;
        if (!cache.isIoError() && !cache.isWithdrawn())
        {
            final CacheBackend backend = cache.backend;
            final CacheObject object = backendObject;
            try
            {
                backend.lockObject(object);
                try
                {
                    result = backend.updateObject(object);
                }
                finally
                {
                    backend.unlockObject(object);
                }
            }
            catch (final RuntimeException | LinkageError | AssertionError ex)
            {
                fsCache.backendFailed(cache, ex);
                result = Result.IO_ERROR;
            }
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
        final CacheBackend backend = cache.backend;
        final CacheObject object = backendObject;
        try
        {
            backend.dropObject(object);
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            fsCache.reportError(ex);
        }

        if (null != parent)
        {
            parent.lock.lock();
            try
            {
                parent.nChildren--;
                if (parent.nChildren == 0 && parent.state == DYING)
                {
                    parent.raiseEventLocked(EV_CLEARED);
                }
            }
            finally
            {
                parent.lock.unlock();
            }
        }

        lock.lock();
        try
        {
            setStateLocked(DEAD);
        }
        finally
        {
            lock.unlock();
        }
        fsCache.counters().inc(StatCounter.OBJECTS_DEAD);

        final FsObject next = cache.objectDead(this);
        try
        {
            backend.putObject(object);
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            fsCache.reportError(ex);
        }

        if (null != next)
        {
            next.enqueue();
        }
    }

    private void callLookupComplete()
    {
        try
        {
            cache.backend.lookupComplete(backendObject);
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            fsCache.backendFailed(cache, ex);
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

    private void doneParentOp()
    {
        if (!holdsParentOp)
        {
            return;
        }

        holdsParentOp = false;
        parent.lock.lock();
        try
        {
            parent.nOps--;
            parent.nObjOps--;
            if (parent.nOps == 0 && parent.state == DYING)
            {
                parent.raiseEventLocked(EV_CLEARED);
            }
        }
        finally
        {
            parent.lock.unlock();
        }
    }

    private void enterDyingLocked()
    {
        detachLocked();
        cancelPendingOpsLocked();
        takeDependentsLocked();
    }

    /**
     * Unbind from the cookie: the cookie no longer uses this object; pending writes are aborted and lookup waiters
     * woken.
     */
    boolean detachLocked()
    {
        if (!attached)
        {
            return false;
        }

        attached = false;
        cookie.detachLocked(this);
        return true;
    }

    private void takeDependentsLocked()
    {
        for (int i = 0, size = dependents.size(); i < size; i++)
        {
            final FsObject dependent = dependents.get(i);
            dependent.waitingOnParent = false;
            toWake.add(dependent);
        }
        dependents.clear();
    }

    private void wakeDependents()
    {
        for (int i = 0, size = toWake.size(); i < size; i++)
        {
            toWake.get(i).enqueue();
        }
        toWake.clear();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Operations.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Whether operations may be submitted: not unbound, not dying, cache usable.
     */
    boolean acceptsOpsLocked()
    {
        return attached && !cache.isIoError() && !cache.isWithdrawn() &&
            (state.isRunning() || state.isBeforeAvailable());
    }

    /**
     * Whether the object can do I/O now ({@code fscache_object_is_active}).
     */
    boolean isActiveLocked()
    {
        return attached && state.isRunning() && !cache.isIoError() && !cache.isWithdrawn();
    }

    boolean isActive()
    {
        lock.lock();
        try
        {
            return isActiveLocked();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Whether a page is over the store limit now and no exclusive operation (an attribute change that may move the
     * limit) is queued ahead; otherwise the limit is checked again when the page's operation runs.
     */
    boolean isOverStoreLimitLocked(final CachePage page)
    {
        return nExclusive == 0 && page.index() >= storeLimit;
    }

    boolean submitLocked(final Operation op)
    {
        if (!acceptsOpsLocked())
        {
            return false;
        }

        nOps++;
        if (op.exclusive)
        {
            nExclusive++;
        }

        if (state.isRunning() && pendingOps.isEmpty() && (op.exclusive ? nInProgress == 0 : nExclusive == 0))
        {
            startLocked(op);
        }
        else
        {
            op.state = Operation.PENDING;
            pendingOps.addLast(op);
            fsCache.counters().inc(StatCounter.OPS_PENDING);
        }

        return true;
    }

    private void startLocked(final Operation op)
    {
        nInProgress++;
        op.state = Operation.IN_PROGRESS;
        fsCache.counters().inc(StatCounter.OPS_RUN);
        if (op.hasProcessor())
        {
            fsCache.counters().inc(StatCounter.OPS_ENQUEUED);
            fsCache.pool().execute(op);
        }
        cookie.changed.signalAll();
    }

    private void startOperationsLocked()
    {
        if (!state.isRunning())
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

        if (nOps == 0 && state == DYING)
        {
            raiseEventLocked(EV_CLEARED);
        }
    }

    void requeueLocked(final Operation op)
    {
        fsCache.counters().inc(StatCounter.OPS_ENQUEUED);
        fsCache.pool().execute(op);
    }

    private void cancelPendingOpsLocked()
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
        cookie.changed.signalAll();
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

        final StorageOp op = new StorageOp(owner, this);
        if (submitLocked(op))
        {
            writer = op;
            fsCache.counters().inc(StatCounter.STORE_OPS);
        }
        else
        {
            owner.cancelPendingStoresLocked();
        }
    }

    /**
     * Take a backend reference for an operation; null if the backend refuses.
     */
    CacheObject grab()
    {
        try
        {
            return cache.backend.grabObject(backendObject);
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            fsCache.backendFailed(cache, ex);
            return null;
        }
    }

    void release(final CacheObject object)
    {
        try
        {
            cache.backend.putObject(object);
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            fsCache.backendFailed(cache, ex);
        }
    }

    /**
     * One line of the object list: id, state, cookie, counts, events.
     */
    String describe()
    {
        lock.lock();
        try
        {
            return "OBJ" + Integer.toHexString(debugId) + " " + state.shortName() + " " + cookie.name +
                " ops=" + nOps + " run=" + nInProgress + " exc=" + nExclusive + " chld=" + nChildren +
                " pend=" + pendingOps.size() + " ev=" + Integer.toHexString(events) +
                " q=" + (queued ? 1 : 0) + " attr=" + attrOps + " dfr=" + Integer.toHexString(deferredEvents) +
                (null == predecessor ? "" : " pred=OBJ" + Integer.toHexString(predecessor.debugId) +
                (predecessor.dead ? "(dead)" : ""));
        }
        finally
        {
            lock.unlock();
        }
    }

    public String toString()
    {
        return "OBJ" + Integer.toHexString(debugId);
    }
}
