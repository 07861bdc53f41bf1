package org.cachefs.fscache.engine;

import org.cachefs.fscache.CheckAux;
import org.cachefs.fscache.CookieType;
import org.cachefs.fscache.StatCounter;
import org.cachefs.fscache.spi.CacheContext;
import org.cachefs.fscache.spi.CacheObject;
import org.cachefs.fscache.spi.ObjectContext;
import org.cachefs.fscache.spi.ObjectState;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The core's side of one object in one cache (the core half of {@code struct fscache_object}): what the object is
 * (cache, cookie, parent, identity, backend object), whether its cookie still uses it, its store limit, and the
 * utilities backends call through {@link CacheObject}. Its jobs are done by its rooms:
 * <ul>
 *     <li>{@link ObjectStateMachine}: the state, the events, the steps from lookup to death (the object's pool
 *     task), with {@link ObjectLifecycleCalls} making those steps' backend calls;</li>
 *     <li>{@link ObjectOperations}: the admission of operations, shared and exclusive;</li>
 *     <li>{@link ObjectFamily}: the children, the dependents waiting for it, the wait on its parent;</li>
 *     <li>{@link ObjectAcceptedWork}: the storage operation, the attribute changes in flight, the deferred
 *     release.</li>
 * </ul>
 * <h2>Threading</h2>
 * All mutable state, here and in the rooms, except where marked otherwise, is guarded by {@link #lock}, which is the
 * lock of the object's cookie. The state machine runs on pool threads, on one thread at a time per object; it
 * decides under the lock and calls the backend without it. Another thread only raises events and enqueues. A child
 * may take its parent's lock while holding its own (child before parent); the reverse never happens.
 * {@link #predecessor} and {@link #successor} are guarded by the cache's objects lock.
 */
final class FsObject implements ObjectContext
{
    final CacheEngine engine;
    final CacheImpl cache;
    final CookieImpl cookie;
    final FsObject parent;
    final int debugId;
    final ReentrantLock lock;
    final ObjectIdentity identity;

    final ObjectStateMachine machine;
    final ObjectOperations ops;
    final ObjectFamily family;
    final ObjectAcceptedWork accepted;

    volatile CacheObject backendObject;

    /**
     * The size of the attribute change being processed, or -1: each change is applied with the size the netfs
     * reported when it made it, so that a truncation followed by an extension is not collapsed into the latter.
     */
    volatile long attrChangeSize = -1;

    /** Whether the cookie uses this object: set when attached, cleared when detached. */
    boolean attached;
    long storeLimit = Long.MAX_VALUE;

    FsObject predecessor;
    FsObject successor;
    volatile boolean dead;

    FsObject(
        final CacheEngine engine,
        final CacheImpl cache,
        final CookieImpl cookie,
        final FsObject parent,
        final int debugId)
    {
        this.engine = engine;
        this.cache = cache;
        this.cookie = cookie;
        this.parent = parent;
        this.debugId = debugId;
        this.lock = cookie.lock;
        this.identity = null == parent ? null : new ObjectIdentity(parent, cookie.key);
        this.machine = new ObjectStateMachine(this);
        this.ops = new ObjectOperations(this);
        this.family = new ObjectFamily(this);
        this.accepted = new ObjectAcceptedWork(this);
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
        return machine.state();
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
        final Stats stats = engine.counters();
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
            engine.reportError(ex);
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
        machine.lookupNegative();
    }

    public void obtainedObject()
    {
        machine.obtainedObject();
    }

    public void lookupError()
    {
        machine.lookupError();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Binding to the cookie, and the use of the object for I/O.
    // ---------------------------------------------------------------------------------------------------------------

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

    /**
     * Whether operations may be submitted: not unbound, not dying, cache usable.
     */
    boolean acceptsOpsLocked()
    {
        final ObjectState state = machine.state();
        return attached && !cache.isIoError() && !cache.isWithdrawn() &&
            (state.isRunning() || state.isBeforeAvailable());
    }

    /**
     * Whether the object can do I/O now ({@code fscache_object_is_active}).
     */
    boolean isActiveLocked()
    {
        return attached && machine.state().isRunning() && !cache.isIoError() && !cache.isWithdrawn();
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
            engine.backendFailed(cache, ex);
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
            engine.backendFailed(cache, ex);
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
            return "OBJ" + Integer.toHexString(debugId) + " " + machine.state().shortName() + " " + cookie.name +
                " ops=" + ops.nOps + " run=" + ops.nInProgress + " exc=" + ops.nExclusive +
                " chld=" + family.nChildren + " pend=" + ops.pendingCountLocked() +
                " ev=" + Integer.toHexString(machine.events) + " q=" + (machine.queued ? 1 : 0) +
                accepted.describeLocked() +
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
