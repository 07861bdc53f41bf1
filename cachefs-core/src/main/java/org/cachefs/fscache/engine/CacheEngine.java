package org.cachefs.fscache.engine;

import org.cachefs.fscache.CacheTag;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.FsCache;
import org.cachefs.fscache.FsCacheOptions;
import org.cachefs.fscache.FsCacheStats;
import org.cachefs.fscache.Netfs;
import org.cachefs.fscache.spi.CacheBackend;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import javax.management.ObjectName;

/**
 * The root of the FS-Cache engine behind {@link FsCache}: the options, the statistics, the operation pool, the
 * structure lock, the master index and the no-op cookie, the netfs registrations, error reporting and the close
 * sequence. Every engine class holds it. Its rooms:
 * <ul>
 *     <li>{@link CacheRegistry}: the caches added and the cache tags; adding and withdrawing a cache;</li>
 *     <li>{@link ObjectBinder}: the choice of cache for a new cookie and the allocation of its objects.</li>
 * </ul>
 * <h2>Threading</h2>
 * Any thread. {@link #structureLock} guards the netfs registrations, the closed flag and the state of
 * {@link CacheRegistry}, and is held while objects are allocated for an acquisition; a cookie's lock may be taken
 * while holding it, never the reverse. The statistics are {@link java.util.concurrent.atomic.LongAdder}s. Closing and
 * withdrawing wait for the pool and refuse to run on a pool thread.
 * <p>
 * Public only for {@link FsCache}, which is made over it: its public methods are the facade's, documented there.
 */
public final class CacheEngine
{
    private static final ApiAccess.Netfses NETFSES = ApiAccess.netfses();

    private final FsCacheOptions options;
    private final Stats counters = new Stats();
    private final OperationPool pool;
    final ReentrantLock structureLock = new ReentrantLock();
    private final HashMap<String, Netfs> netfses = new HashMap<>();
    final CookieImpl masterIndex;
    private final NoopCookie noopCookie;
    private final AtomicInteger debugIds = new AtomicInteger();
    final CacheRegistry caches;
    final ObjectBinder binder;
    /** The JMX registrations, or null if JMX is off. */
    final Jmx jmx;
    private boolean closed;

    /**
     * An engine with no caches, its pool started.
     *
     * @param options the options, validated.
     */
    public CacheEngine(final FsCacheOptions options)
    {
        this.options = options;
        this.pool = new OperationPool(options.threadCount());
        this.masterIndex = new CookieImpl(
            this, null, NetfsIndexDefinition.MASTER_INDEX, "FSDEF", null, Cookies.EMPTY_BYTES, Cookies.EMPTY_BYTES);
        this.noopCookie = new NoopCookie(this);
        this.caches = new CacheRegistry(this);
        this.binder = new ObjectBinder(this);
        this.jmx = options.jmx() ? new Jmx(this) : null;
    }

    /**
     * See {@link FsCache#options()}.
     *
     * @return the options.
     */
    public FsCacheOptions options()
    {
        return options;
    }

    /**
     * See {@link FsCache#pageSize()}.
     *
     * @return bytes per page.
     */
    public int pageSize()
    {
        return options.pageSize();
    }

    /**
     * See {@link FsCache#noopCookie()}.
     *
     * @return the no-op cookie.
     */
    public Cookie noopCookie()
    {
        return noopCookie;
    }

    Stats counters()
    {
        return counters;
    }

    OperationPool pool()
    {
        return pool;
    }

    int nextDebugId()
    {
        return debugIds.incrementAndGet();
    }

    void reportError(final Throwable throwable)
    {
        try
        {
            options.errorHandler().accept(throwable);
        }
        catch (final Throwable ignore)
        {
            // The error handler itself failed: nothing further can report it.
        }
    }

    void backendFailed(final CacheImpl cache, final Throwable throwable)
    {
        reportError(throwable);
        cache.ioError();
    }

    /**
     * Called under the structure lock.
     */
    void ensureOpenLocked()
    {
        if (closed)
        {
            throw new IllegalStateException("FsCache is closed");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Caches and tags: see CacheRegistry.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * See {@link FsCache#addCache(CacheBackend, String)}.
     *
     * @param backend the backend.
     * @param tag     the tag, or null/empty for the backend's identifier.
     */
    public void addCache(final CacheBackend backend, final String tag)
    {
        caches.addCache(backend, tag);
    }

    /**
     * See {@link FsCache#withdrawCache(CacheBackend)}.
     *
     * @param backend the backend.
     */
    public void withdrawCache(final CacheBackend backend)
    {
        caches.withdrawCache(backend);
    }

    /**
     * See {@link FsCache#withdrawCache(String)}.
     *
     * @param tag the tag.
     */
    public void withdrawCache(final String tag)
    {
        caches.withdrawCache(tag);
    }

    /**
     * See {@link FsCache#cacheTags()}.
     *
     * @return the tags of the caches added, in order.
     */
    public String[] cacheTags()
    {
        return caches.cacheTags();
    }

    /**
     * See {@link FsCache#lookupCacheTag(String)}.
     *
     * @param name the tag name.
     * @return the tag, with one more reference.
     */
    public CacheTag lookupCacheTag(final String name)
    {
        return caches.lookupCacheTag(name);
    }

    /**
     * See {@link FsCache#releaseCacheTag(CacheTag)}.
     *
     * @param tag the tag.
     */
    public void releaseCacheTag(final CacheTag tag)
    {
        caches.releaseCacheTag(tag);
    }

    /**
     * See {@link FsCache#jmxName()}.
     *
     * @return the registered name, or null.
     */
    public ObjectName jmxName()
    {
        return jmx == null ? null : jmx.fsCacheName();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Netfs registration.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * See {@link FsCache#registerNetfs(String, int)}.
     *
     * @param name    the netfs name.
     * @param version the netfs version.
     * @return the registration.
     */
    public Netfs registerNetfs(final String name, final int version)
    {
        if (null == name || name.isEmpty())
        {
            throw new IllegalArgumentException("netfs name must not be null or empty");
        }

        final byte[] key = name.getBytes(StandardCharsets.UTF_8);
        final byte[] aux = NetfsIndexDefinition.encodeVersion(version);
        Cookies.checkKeyAndAux(name, key.length, aux.length);

        structureLock.lock();
        try
        {
            ensureOpenLocked();
            if (netfses.containsKey(name))
            {
                throw new IllegalStateException("netfs '" + name + "' is already registered");
            }

            final Netfs netfs = NETFSES.newNetfs(name, version);
            NETFSES.primaryIndex(netfs, masterIndex.createChild(NetfsIndexDefinition.INSTANCE, netfs, key, aux));
            netfses.put(name, netfs);

            return netfs;
        }
        finally
        {
            structureLock.unlock();
        }
    }

    /**
     * See {@link FsCache#unregisterNetfs(Netfs)}.
     *
     * @param netfs the registration.
     */
    public void unregisterNetfs(final Netfs netfs)
    {
        structureLock.lock();
        try
        {
            if (null == netfs || netfses.get(netfs.name()) != netfs)
            {
                throw new IllegalArgumentException("netfs " + netfs + " is not registered");
            }
        }
        finally
        {
            structureLock.unlock();
        }

        netfs.primaryIndex().relinquish(false);

        structureLock.lock();
        try
        {
            netfses.remove(netfs.name(), netfs);
        }
        finally
        {
            structureLock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Statistics and lifecycle.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * See {@link FsCache#stats()}.
     *
     * @return the counters now.
     */
    public FsCacheStats stats()
    {
        return counters.snapshot();
    }

    /**
     * See {@link FsCache#awaitIdle(long, TimeUnit)}.
     *
     * @param timeout the longest wait.
     * @param unit    its unit.
     * @return true if idle.
     */
    public boolean awaitIdle(final long timeout, final TimeUnit unit)
    {
        return pool.awaitIdle(unit.toNanos(timeout));
    }

    /**
     * Applies what the caches accepted, withdraws every cache (the last added first) and stops the pool; see
     * {@link FsCache#close()}.
     */
    public void close()
    {
        if (pool.isPoolThread())
        {
            throw new IllegalStateException("close must not be called from an FS-Cache pool thread");
        }

        final ArrayList<CacheImpl> added;
        structureLock.lock();
        try
        {
            added = closed ? new ArrayList<>() : caches.snapshotLocked();
        }
        finally
        {
            structureLock.unlock();
        }
        for (int i = added.size() - 1; i >= 0; i--)
        {
            caches.applyAccepted(added.get(i));
        }

        final ArrayList<CacheImpl> toWithdraw;
        structureLock.lock();
        try
        {
            if (closed)
            {
                return;
            }
            closed = true;
            if (jmx != null)
            {
                jmx.unregister(jmx.fsCacheName());
            }
            toWithdraw = caches.snapshotLocked();
            for (int i = toWithdraw.size() - 1; i >= 0; i--)
            {
                caches.detachCacheLocked(toWithdraw.get(i));
            }
        }
        finally
        {
            structureLock.unlock();
        }

        IllegalStateException failure = null;
        for (int i = toWithdraw.size() - 1; i >= 0; i--)
        {
            try
            {
                caches.withdraw(toWithdraw.get(i));
            }
            catch (final IllegalStateException ex)
            {
                if (null == failure)
                {
                    failure = ex;
                }
            }
        }

        pool.shutdown(TimeUnit.SECONDS.toNanos(10));
        if (null != failure)
        {
            throw failure;
        }
    }

    /**
     * The live objects of every cache, one line each (id, state, cookie, operation and child counts, events), in the
     * spirit of the kernel's object list; used for diagnostics.
     *
     * @return the lines, each ending with a newline.
     */
    public String describeObjects()
    {
        final ArrayList<CacheImpl> snapshot;
        structureLock.lock();
        try
        {
            snapshot = caches.snapshotLocked();
        }
        finally
        {
            structureLock.unlock();
        }

        final StringBuilder sb = new StringBuilder();
        for (final CacheImpl cache : snapshot)
        {
            for (final FsObject object : cache.liveObjects())
            {
                sb.append(object.describe()).append('\n');
            }
        }
        return sb.toString();
    }
}
