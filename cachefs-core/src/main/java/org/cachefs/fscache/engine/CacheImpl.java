package org.cachefs.fscache.engine;

import org.cachefs.fscache.spi.CacheBackend;
import org.cachefs.fscache.spi.CacheContext;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The core's record of one added cache ({@code struct fscache_cache}), and the {@link CacheContext} given to its
 * backend.
 * <p>
 * Threading: {@link #ioError} and {@link #withdrawn} are volatile flags, set once. The set of live objects and the
 * identity map are guarded by {@link #objectsLock}, a leaf lock (nothing else is taken while holding it), so that
 * backends may report errors and destruction while holding their own locks.
 */
final class CacheImpl implements CacheContext
{
    final CacheEngine engine;
    final CacheBackend backend;
    final TagBinding tag;
    final String identifier;
    FsObject fsdef;

    private volatile boolean ioError;
    /** The JMX name this cache is registered under while added, or null. */
    javax.management.ObjectName mbeanName;
    volatile boolean withdrawn;

    private final AtomicInteger objectCount = new AtomicInteger();
    private final ReentrantLock objectsLock = new ReentrantLock();
    private final Condition objectsChanged = objectsLock.newCondition();
    private final LinkedHashSet<FsObject> objects = new LinkedHashSet<>();
    private final HashMap<ObjectIdentity, FsObject> identities = new HashMap<>();

    CacheImpl(final CacheEngine engine, final CacheBackend backend, final TagBinding tag)
    {
        this.engine = engine;
        this.backend = backend;
        this.tag = tag;
        this.identifier = backend.identifier();
    }

    public String tag()
    {
        return tag.name();
    }

    public int pageSize()
    {
        return engine.pageSize();
    }

    public void ioError()
    {
        ioError = true;
    }

    public boolean isIoError()
    {
        return ioError;
    }

    public boolean isWithdrawn()
    {
        return withdrawn;
    }

    public void objectDestroyed()
    {
        objectCount.decrementAndGet();
        signalObjectsChanged();
    }

    void objectInitialised()
    {
        objectCount.incrementAndGet();
    }

    /**
     * Register a new object; if an older object of the same identity is not dead yet, the new one waits for it.
     */
    void registerObject(final FsObject object)
    {
        objectsLock.lock();
        try
        {
            objects.add(object);
            if (null != object.identity)
            {
                final FsObject older = identities.put(object.identity, object);
                if (null != older && !older.dead)
                {
                    object.predecessor = older;
                    older.successor = object;
                }
            }
        }
        finally
        {
            objectsLock.unlock();
        }
    }

    /**
     * An object reached the dead state.
     *
     * @return the object waiting for it, if any.
     */
    FsObject objectDead(final FsObject object)
    {
        objectsLock.lock();
        try
        {
            object.dead = true;
            objects.remove(object);
            if (null != object.identity && identities.get(object.identity) == object)
            {
                identities.remove(object.identity);
            }
            objectsChanged.signalAll();

            return object.successor;
        }
        finally
        {
            objectsLock.unlock();
        }
    }

    ArrayList<FsObject> liveObjects()
    {
        objectsLock.lock();
        try
        {
            return new ArrayList<>(objects);
        }
        finally
        {
            objectsLock.unlock();
        }
    }

    /**
     * Wait until every object is dead and destroyed.
     *
     * @return null on success, else a description of what remains.
     */
    String awaitCleared(final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        objectsLock.lock();
        try
        {
            while (!objects.isEmpty() || objectCount.get() != 0)
            {
                final long remainingNs = deadline - System.nanoTime();
                if (remainingNs <= 0)
                {
                    return objects.size() + " objects not dead, " + objectCount.get() + " objects not destroyed";
                }
                objectsChanged.awaitNanos(remainingNs);
            }

            return null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "interrupted with " + objects.size() + " objects not dead, " + objectCount.get() +
                " objects not destroyed";
        }
        finally
        {
            objectsLock.unlock();
        }
    }

    private void signalObjectsChanged()
    {
        objectsLock.lock();
        try
        {
            objectsChanged.signalAll();
        }
        finally
        {
            objectsLock.unlock();
        }
    }

    public String toString()
    {
        return "cache '" + tag.name() + "' (" + identifier + ")";
    }
}
