package org.cachefs.fscache.engine;

import org.cachefs.fscache.StatCounter;

import java.util.ArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The objects backing one cookie ({@code cookie->backing_objects}) and where the cookie stands: whether its first
 * object is being looked up or created, whether that object may hold data yet, whether the cookie was relinquished;
 * and the waits on those (a lookup to finish, an operation to be admitted).
 * <p>
 * Threading: guarded by the cookie's lock ({@link CookieImpl#lock}), which the object state machine holds when it
 * attaches, detaches and reports lookups; {@link #noDataYet()} is also read without it, by a netfs thread choosing
 * between a read and an allocation. {@link CookieImpl#changed} is signalled when a lookup finishes.
 */
final class CookieBinding
{
    private static final int LOOKING_UP = 1;
    private static final int CREATING = 1 << 1;
    private static final int NO_DATA_YET = 1 << 2;
    private static final int RELINQUISHED = 1 << 3;

    private final CookieImpl cookie;
    private final ReentrantLock lock;
    private final Condition changed;
    private final ArrayList<FsObject> backing = new ArrayList<>(1);
    private volatile int flags;

    CookieBinding(final CookieImpl cookie)
    {
        this.cookie = cookie;
        this.lock = cookie.lock;
        this.changed = cookie.changed;
    }

    FsObject firstObjectLocked()
    {
        return backing.isEmpty() ? null : backing.get(0);
    }

    FsObject objectInLocked(final CacheImpl cache)
    {
        for (int i = 0, n = backing.size(); i < n; i++)
        {
            final FsObject object = backing.get(i);
            if (object.cache == cache)
            {
                return object;
            }
        }

        return null;
    }

    void attachLocked(final FsObject object)
    {
        object.attached = true;
        backing.add(object);
    }

    void removeLocked(final FsObject object)
    {
        backing.remove(object);
    }

    /**
     * Raises an event on every backing object.
     */
    void raiseEventLocked(final int event)
    {
        for (int i = 0, n = backing.size(); i < n; i++)
        {
            backing.get(i).machine.raiseEventLocked(event);
        }
    }

    /**
     * Releases every backing object (relinquishment without retirement).
     */
    void releaseLocked()
    {
        for (int i = 0, n = backing.size(); i < n; i++)
        {
            backing.get(i).accepted.releaseLocked();
        }
    }

    void markLookingUpLocked()
    {
        flags |= LOOKING_UP | CREATING | NO_DATA_YET;
    }

    void lookupNegativeLocked()
    {
        flags = (flags | NO_DATA_YET) & ~LOOKING_UP;
        changed.signalAll();
    }

    void lookupPositiveLocked()
    {
        flags &= ~(NO_DATA_YET | LOOKING_UP);
        changed.signalAll();
    }

    void lookupFinishedLocked()
    {
        flags &= ~(LOOKING_UP | CREATING);
        changed.signalAll();
    }

    /**
     * @return true while the object was found or created empty and no page of it was uncached since: a retrieval
     * allocates rather than reads.
     */
    boolean noDataYet()
    {
        return (flags & NO_DATA_YET) != 0;
    }

    /**
     * A page was uncached: the object may hold data from now on.
     */
    void clearNoDataYetLocked()
    {
        flags &= ~NO_DATA_YET;
    }

    boolean isCreatingLocked()
    {
        return (flags & CREATING) != 0;
    }

    void awaitCreatedLocked()
    {
        while ((flags & CREATING) != 0)
        {
            changed.awaitUninterruptibly();
        }
    }

    boolean isRelinquished()
    {
        return (flags & RELINQUISHED) != 0;
    }

    void markRelinquishedLocked()
    {
        flags |= RELINQUISHED;
    }

    void checkNotRelinquishedLocked(final String operation)
    {
        if ((flags & RELINQUISHED) != 0)
        {
            throw new IllegalStateException(operation + " on relinquished cookie '" + cookie.name + "'");
        }
    }

    void checkNotAlreadyRelinquishedLocked()
    {
        if ((flags & RELINQUISHED) != 0)
        {
            throw new IllegalStateException("cookie '" + cookie.name + "' was already relinquished");
        }
    }

    /**
     * Wait for the lookup, interruptibly.
     *
     * @return false if interrupted (the interrupt status is restored).
     */
    boolean awaitLookupLocked(final StatCounter waitCounter)
    {
        if ((flags & LOOKING_UP) == 0)
        {
            return true;
        }

        cookie.engine.counters().inc(waitCounter);
        while ((flags & LOOKING_UP) != 0)
        {
            try
            {
                changed.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        return true;
    }

    void awaitLookupUninterruptiblyLocked()
    {
        while ((flags & LOOKING_UP) != 0)
        {
            changed.awaitUninterruptibly();
        }
    }

    /**
     * Wait for an operation to leave the pending state.
     *
     * @return true if it started, false if it was cancelled.
     */
    boolean awaitStarted(final Operation op, final StatCounter waitCounter)
    {
        lock.lock();
        try
        {
            if (op.state == Operation.PENDING)
            {
                if (null != waitCounter)
                {
                    cookie.engine.counters().inc(waitCounter);
                }
                while (op.state == Operation.PENDING)
                {
                    changed.awaitUninterruptibly();
                }
            }

            return op.state == Operation.IN_PROGRESS;
        }
        finally
        {
            lock.unlock();
        }
    }
}
