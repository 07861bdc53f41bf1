package org.cachefs.fscache;

import org.cachefs.fscache.spi.CacheBackend;
import org.cachefs.fscache.spi.CacheObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * FS-Cache: the core between network filesystems (netfs) and cache backends (the kernel's fs/fscache).
 * <p>
 * A netfs registers with {@link #registerNetfs(String, int)} and acquires cookies under its primary index
 * ({@link Cookie}); backends are added with {@link #addCache(CacheBackend, String)} and withdrawn with
 * {@link #withdrawCache(String)}. Several caches may be added; an index subtree goes to the cache its index's
 * {@link CookieDefinition#selectCache} names, else to the cache of its parent, else to the first cache added that is
 * not in error.
 * <h2>Threading model</h2>
 * <ul>
 * <li>Every public method may be called from any thread. Netfs calls run on the caller's thread and call the
 * backend's read, allocate, uncache, pin and reserve operations there.</li>
 * <li>A pool of {@link FsCacheOptions#threadCount()} daemon threads runs the asynchronous work: object state
 * machines (lookup, creation, update, death), storage operations (page writes) and attribute changes, and
 * retrievals a backend enqueues. Each object's state machine runs on one pool thread at a time.</li>
 * <li>Each cookie has one lock guarding the cookie and its backing objects; the lock is never held while calling a
 * backend or netfs callback. A child cookie's lock may be taken before its parent's, never the reverse.</li>
 * <li>The structure lock of this class guards the cache list, tags and netfs registrations, and is held while
 * objects are allocated for an acquisition ({@link CacheBackend#allocObject} must not block).</li>
 * <li>Operations on one object are admitted in order: shared ones (reads, allocations, writes, pin, reserve) run
 * together; an exclusive one (attribute change) waits for those in progress and holds back those after it.</li>
 * <li>{@link #withdrawCache} and {@link #close()} wait for the pool and must not be called from a pool thread or a
 * backend operation.</li>
 * </ul>
 * Statistics are {@link java.util.concurrent.atomic.LongAdder}s, read with {@link #stats()}.
 */
public final class FsCache implements AutoCloseable
{
    private final FsCacheOptions options;
    private final Stats counters = new Stats();
    private final OperationPool pool;
    private final ReentrantLock structureLock = new ReentrantLock();
    private final ArrayList<CacheImpl> caches = new ArrayList<>();
    private final HashMap<String, CacheTag> tags = new HashMap<>();
    private final HashMap<String, Netfs> netfses = new HashMap<>();
    private final CookieImpl masterIndex;
    private final NoopCookie noopCookie;
    private final AtomicInteger debugIds = new AtomicInteger();
    private boolean closed;

    private FsCache(final FsCacheOptions options)
    {
        this.options = options;
        this.pool = new OperationPool(options.threadCount());
        this.masterIndex = new CookieImpl(
            this, null, NetfsIndexDefinition.MASTER_INDEX, "FSDEF", null, Cookies.EMPTY_BYTES, Cookies.EMPTY_BYTES);
        this.noopCookie = new NoopCookie(this);
        this.jmx = options.jmx() ? new Jmx(this) : null;
    }

    private final Jmx jmx;

    /**
     * An FS-Cache with the default options.
     *
     * @return a new FS-Cache with no caches.
     */
    public static FsCache create()
    {
        return new FsCache(FsCacheOptions.defaults());
    }

    /**
     * An FS-Cache with the given options.
     *
     * @param options the options.
     * @return a new FS-Cache with no caches.
     */
    public static FsCache create(final FsCacheOptions options)
    {
        if (null == options)
        {
            throw new IllegalArgumentException("options must not be null");
        }

        return new FsCache(options);
    }

    /**
     * The options.
     *
     * @return the options given at creation.
     */
    public FsCacheOptions options()
    {
        return options;
    }

    /**
     * The page size.
     *
     * @return bytes per page.
     */
    public int pageSize()
    {
        return options.pageSize();
    }

    /**
     * The no-op cookie of this FS-Cache, the stand-in for the kernel's NULL cookie.
     *
     * @return the no-op cookie.
     */
    public Cookie noopCookie()
    {
        return noopCookie;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Caches.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Add a cache ({@code fscache_add_cache}): calls {@link CacheBackend#initCache} under the structure lock and
     * makes the cache available for new objects. A tag looked up earlier with that name binds to it.
     *
     * @param backend the backend.
     * @param tag     the tag, or null/empty for the backend's identifier.
     * @throws CacheTagInUseException   if a cache is already added with that tag.
     * @throws IllegalArgumentException if the backend's page size differs from {@link #pageSize()}.
     * @throws IllegalStateException    if the backend is already added or this FS-Cache is closed.
     */
    public void addCache(final CacheBackend backend, final String tag)
    {
        if (null == backend)
        {
            throw new IllegalArgumentException("backend must not be null");
        }

        structureLock.lock();
        try
        {
            ensureOpen();
            if (backend.pageSize() != options.pageSize())
            {
                throw new IllegalArgumentException("cache backend '" + backend.identifier() + "' page size " +
                    backend.pageSize() + " does not match the FS-Cache page size " + options.pageSize());
            }

            for (int i = 0, n = caches.size(); i < n; i++)
            {
                if (caches.get(i).backend == backend)
                {
                    throw new IllegalStateException("cache backend '" + backend.identifier() + "' is already added");
                }
            }

            final String tagName = null == tag || tag.isEmpty() ? backend.identifier() : tag;
            CacheTag cacheTag = tags.get(tagName);
            if (null != cacheTag && null != cacheTag.cache)
            {
                throw new CacheTagInUseException(tagName, cacheTag.cache.identifier);
            }
            if (null == cacheTag)
            {
                cacheTag = new CacheTag(this, tagName);
            }

            final CacheImpl cache = new CacheImpl(this, backend, cacheTag);
            final FsObject fsdef = new FsObject(this, cache, masterIndex, null, debugIds.incrementAndGet());
            final CacheObject master = backend.initCache(cache, fsdef);
            if (null == master || fsdef.backendObject != master)
            {
                throw new IllegalStateException("cache backend '" + backend.identifier() +
                    "' did not return a master index object constructed over the context it was given");
            }

            masterIndex.lock.lock();
            try
            {
                fsdef.machine.activateMasterIndexLocked();
                masterIndex.attachLocked(fsdef);
            }
            finally
            {
                masterIndex.lock.unlock();
            }
            cache.fsdef = fsdef;
            cache.registerObject(fsdef);

            tags.put(tagName, cacheTag);
            cacheTag.usage++;
            cacheTag.cache = cache;
            caches.add(cache);
            if (jmx != null)
            {
                cache.mbeanName = jmx.registerCache(cache);
            }
        }
        finally
        {
            structureLock.unlock();
        }
    }

    /**
     * Withdraw the cache added with a backend ({@code fscache_withdraw_cache}).
     *
     * @param backend the backend.
     * @throws IllegalArgumentException if no cache is added with that backend.
     * @see #withdrawCache(String)
     */
    public void withdrawCache(final CacheBackend backend)
    {
        applyAccepted(cacheOf(backend, null));
        final CacheImpl cache;
        structureLock.lock();
        try
        {
            cache = findCache(backend, null);
            if (null == cache)
            {
                throw new IllegalArgumentException("no cache is added with backend " + backend);
            }
            detachCache(cache);
        }
        finally
        {
            structureLock.unlock();
        }

        withdraw(cache);
    }

    /**
     * Withdraw the cache added under a tag ({@code fscache_withdraw_cache}). The cache stops taking new objects;
     * unless it is in I/O error, the attribute changes and page writes already accepted are applied first (within
     * {@link FsCacheOptions#withdrawTimeout()}); the backend is asked to {@link CacheBackend#sync() sync} and
     * {@link CacheBackend#dissociatePages() dissociate pages}; every cookie bound to it is unbound (writes still
     * pending cancelled, page marks cleared, reads in flight ended
     * with {@link Result#NO_BUFS}, {@link CookieDefinition#nowUncached} called for data cookies) and every object
     * withdrawn. Returns once all its objects are dead and destroyed.
     *
     * @param tag the tag.
     * @throws IllegalArgumentException if no cache is added under the tag.
     * @throws IllegalStateException    if called from a pool thread, or if the objects do not die within
     *                                  {@link FsCacheOptions#withdrawTimeout()} (a backend not reporting destruction).
     */
    public void withdrawCache(final String tag)
    {
        applyAccepted(cacheOf(null, tag));
        final CacheImpl cache;
        structureLock.lock();
        try
        {
            cache = findCache(null, tag);
            if (null == cache)
            {
                throw new IllegalArgumentException("no cache is added with tag '" + tag + "'");
            }
            detachCache(cache);
        }
        finally
        {
            structureLock.unlock();
        }

        withdraw(cache);
    }

    private CacheImpl cacheOf(final CacheBackend backend, final String tag)
    {
        structureLock.lock();
        try
        {
            return findCache(backend, tag);
        }
        finally
        {
            structureLock.unlock();
        }
    }

    /**
     * Before a withdrawal: unless the cache is in I/O error, the truncations and page writes it accepted are applied
     * (within the withdrawal timeout), while its objects can still do I/O, so that it never keeps an older version
     * of a page or pages past a file's end.
     */
    private void applyAccepted(final CacheImpl cache)
    {
        if (null == cache || cache.isIoError())
        {
            return;
        }
        final long timeout = options.withdrawTimeout().toNanos();
        final long deadline = System.nanoTime() + timeout;
        final long stall = Math.min(timeout, TimeUnit.SECONDS.toNanos(1));
        final ArrayList<FsObject> objects = cache.liveObjects();
        for (int i = 0, n = objects.size(); i < n; i++)
        {
            objects.get(i).accepted.awaitAccepted(deadline, stall);
        }
    }

    private CacheImpl findCache(final CacheBackend backend, final String tag)
    {
        if (pool.isPoolThread())
        {
            throw new IllegalStateException("withdrawCache must not be called from an FS-Cache pool thread");
        }

        for (int i = 0, n = caches.size(); i < n; i++)
        {
            final CacheImpl cache = caches.get(i);
            if (cache.backend == backend || (null != tag && cache.tag.name().equals(tag)))
            {
                return cache;
            }
        }

        return null;
    }

    private void detachCache(final CacheImpl cache)
    {
        cache.withdrawn = true;
        caches.remove(cache);
        cache.tag.cache = null;
        if (jmx != null)
        {
            jmx.unregister(cache.mbeanName);
            cache.mbeanName = null;
        }
    }

    /**
     * @return the name this FS-Cache is registered under with the platform MBean server
     * ({@code org.cachefs:type=FsCache}, with {@code ,instance=N} for all but the first of the JVM), or null if JMX
     * is off or registration failed.
     */
    public javax.management.ObjectName jmxName()
    {
        return jmx == null ? null : jmx.fsCacheName();
    }

    /**
     * @return the tags of the caches added, in the order they were added.
     */
    public String[] cacheTags()
    {
        structureLock.lock();
        try
        {
            final String[] tagNames = new String[caches.size()];
            for (int i = 0; i < tagNames.length; i++)
            {
                tagNames[i] = caches.get(i).tag.name();
            }
            return tagNames;
        }
        finally
        {
            structureLock.unlock();
        }
    }

    private void withdraw(final CacheImpl cache)
    {
        final CacheBackend backend = cache.backend;
        try
        {
            backend.sync();
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            reportError(ex);
        }

        try
        {
            backend.dissociatePages();
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            reportError(ex);
        }

        final ArrayList<FsObject> objects = cache.liveObjects();
        for (int i = 0, n = objects.size(); i < n; i++)
        {
            final FsObject object = objects.get(i);
            object.cookie.withdrawObject(object);
        }

        final String remaining = cache.awaitCleared(options.withdrawTimeout().toNanos());

        structureLock.lock();
        try
        {
            final CacheTag tag = cache.tag;
            tag.usage--;
            if (tag.usage <= 0 && null == tag.cache)
            {
                tags.remove(tag.name(), tag);
            }
        }
        finally
        {
            structureLock.unlock();
        }

        if (null != remaining)
        {
            throw new IllegalStateException("withdrawal of " + cache + " timed out after " +
                options.withdrawTimeout() + ": " + remaining);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Tags.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Look up a cache tag ({@code fscache_lookup_cache_tag}); never fails. A tag whose cache is not added yet is
     * created unbound: objects selecting it are not cached until a cache is added with that tag, when it binds.
     *
     * @param name the tag name; null or empty gives {@link CacheTag#NO_CACHE}.
     * @return the tag, with one more reference.
     */
    public CacheTag lookupCacheTag(final String name)
    {
        if (null == name || name.isEmpty())
        {
            return CacheTag.NO_CACHE;
        }

        structureLock.lock();
        try
        {
            CacheTag tag = tags.get(name);
            if (null == tag)
            {
                tag = new CacheTag(this, name);
                tags.put(name, tag);
            }
            tag.usage++;

            return tag;
        }
        finally
        {
            structureLock.unlock();
        }
    }

    /**
     * Release a tag reference taken by {@link #lookupCacheTag(String)} ({@code fscache_release_cache_tag}).
     *
     * @param tag the tag.
     * @throws IllegalArgumentException if the tag belongs to another FS-Cache.
     */
    public void releaseCacheTag(final CacheTag tag)
    {
        if (null == tag || tag == CacheTag.NO_CACHE)
        {
            return;
        }

        if (tag.owner != this)
        {
            throw new IllegalArgumentException("cache tag '" + tag.name() + "' belongs to another FsCache");
        }

        structureLock.lock();
        try
        {
            tag.usage--;
            if (tag.usage <= 0 && null == tag.cache)
            {
                tags.remove(tag.name(), tag);
            }
        }
        finally
        {
            structureLock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Netfs registration.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Register a netfs ({@code fscache_register_netfs}) and create its primary index. If a cache holds an entry of
     * the same name with another version, the netfs's whole hierarchy in that cache is scrapped when the primary
     * index is next instantiated there.
     *
     * @param name    the netfs name, its key in the master index.
     * @param version the netfs version.
     * @return the registration.
     * @throws IllegalArgumentException if the name is null, empty or longer than the key limit.
     * @throws IllegalStateException    if a netfs of that name is registered, or this FS-Cache is closed.
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
            ensureOpen();
            if (netfses.containsKey(name))
            {
                throw new IllegalStateException("netfs '" + name + "' is already registered");
            }

            final Netfs netfs = new Netfs(this, name, version);
            netfs.primaryIndex(masterIndex.createChild(NetfsIndexDefinition.INSTANCE, netfs, key, aux));
            netfses.put(name, netfs);

            return netfs;
        }
        finally
        {
            structureLock.unlock();
        }
    }

    /**
     * Unregister a netfs ({@code fscache_unregister_netfs}): relinquishes its primary index without retiring it.
     *
     * @param netfs the registration.
     * @throws IllegalArgumentException if not registered here.
     * @throws IllegalStateException    if cookies are still acquired under the primary index.
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
     * A snapshot of the statistics.
     *
     * @return the counters now.
     */
    public FsCacheStats stats()
    {
        return counters.snapshot();
    }

    /**
     * Wait until the thread pool has no queued or running work (lookups, writes, attribute changes, object deaths
     * done), at most {@code timeout}. Work waiting on the netfs (for example an object waiting for the netfs to end its
     * reads) does not count.
     *
     * @param timeout the longest wait.
     * @param unit    its unit.
     * @return true if idle, false on timeout or interruption.
     */
    public boolean awaitIdle(final long timeout, final TimeUnit unit)
    {
        return pool.awaitIdle(unit.toNanos(timeout));
    }

    /**
     * Withdraw every cache and stop the thread pool. Cookies stay usable as unbacked cookies. Idempotent.
     *
     * @throws IllegalStateException if called from a pool thread, or if a withdrawal timed out (after all caches
     *                               were withdrawn and the pool stopped).
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
            added = closed ? new ArrayList<>() : new ArrayList<>(caches);
        }
        finally
        {
            structureLock.unlock();
        }
        for (int i = added.size() - 1; i >= 0; i--)
        {
            applyAccepted(added.get(i));
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
            toWithdraw = new ArrayList<>(caches);
            for (int i = toWithdraw.size() - 1; i >= 0; i--)
            {
                detachCache(toWithdraw.get(i));
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
                withdraw(toWithdraw.get(i));
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

    // ---------------------------------------------------------------------------------------------------------------
    // Internals.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * The live objects of every cache, one line each (id, state, cookie, operation and child counts, events), in the
     * spirit of the kernel's object list; used for diagnostics.
     */
    String describeObjects()
    {
        final ArrayList<CacheImpl> snapshot;
        structureLock.lock();
        try
        {
            snapshot = new ArrayList<>(caches);
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

    Stats counters()
    {
        return counters;
    }

    OperationPool pool()
    {
        return pool;
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

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("FsCache is closed");
        }
    }

    /**
     * Bind a new non-index cookie to a cache ({@code fscache_acquire_non_index_cookie}).
     *
     * @return the cookie, or the no-op cookie if no cache could take it.
     */
    Cookie bindNonIndex(final CookieImpl cookie)
    {
        structureLock.lock();
        try
        {
            if (caches.isEmpty())
            {
                counters.inc(StatCounter.ACQUIRES_OK);
                return cookie;
            }

            final CacheImpl cache = selectCacheForObject(cookie.parent);
            if (null == cache)
            {
                counters.inc(StatCounter.ACQUIRES_NO_CACHE);
                counters.inc(StatCounter.ACQUIRES_NO_BUFS);
                cookie.parent.removeChild(cookie);
                return noopCookie;
            }

            cookie.lock.lock();
            try
            {
                cookie.markLookingUpLocked();
            }
            finally
            {
                cookie.lock.unlock();
            }

            final FsObject object = allocObject(cache, cookie);
            if (null == object)
            {
                counters.inc(StatCounter.ACQUIRES_NO_BUFS);
                cookie.parent.removeChild(cookie);
                return noopCookie;
            }

            cookie.lock.lock();
            try
            {
                object.machine.enqueueLocked();
            }
            finally
            {
                cookie.lock.unlock();
            }

            counters.inc(StatCounter.ACQUIRES_OK);
            return cookie;
        }
        finally
        {
            structureLock.unlock();
        }
    }

    /**
     * Pick the cache for a new object below {@code cookie} ({@code fscache_select_cache_for_object}).
     */
    private CacheImpl selectCacheForObject(final CookieImpl cookie)
    {
        final FsObject first;
        cookie.lock.lock();
        try
        {
            first = cookie.firstObjectLocked();
        }
        finally
        {
            cookie.lock.unlock();
        }

        if (null != first)
        {
            final CacheImpl cache = first.cache;
            return cache.isIoError() || cache.isWithdrawn() ? null : cache;
        }

        if (!cookie.type.isIndex())
        {
            return null;
        }

        CacheTag tag = null;
        if (null != cookie.parent)
        {
            try
            {
                tag = cookie.def.selectCache(cookie.parent.data, cookie.data);
            }
            catch (final RuntimeException | LinkageError | AssertionError ex)
            {
                reportError(ex);
            }
        }

        if (null == tag)
        {
            for (int i = 0, n = caches.size(); i < n; i++)
            {
                final CacheImpl cache = caches.get(i);
                if (!cache.isIoError())
                {
                    return cache;
                }
            }

            return null;
        }

        if (tag == CacheTag.NO_CACHE || tag.owner != this)
        {
            return null;
        }

        final CacheImpl cache = tag.cache;
        return null == cache || cache.isIoError() || cache.isWithdrawn() ? null : cache;
    }

    /**
     * Find or create the object of {@code cookie} in {@code cache}, instantiating its ancestors there as needed
     * ({@code fscache_alloc_object}). Called under the structure lock.
     */
    private FsObject allocObject(final CacheImpl cache, final CookieImpl cookie)
    {
        cookie.lock.lock();
        try
        {
            final FsObject existing = cookie.objectInLocked(cache);
            if (null != existing)
            {
                return existing;
            }
        }
        finally
        {
            cookie.lock.unlock();
        }

        if (null == cookie.parent)
        {
            return null;
        }

        final FsObject parentObject = allocObject(cache, cookie.parent);
        if (null == parentObject)
        {
            return null;
        }

        final FsObject object = new FsObject(this, cache, cookie, parentObject, debugIds.incrementAndGet());
        CacheObject allocated;
        try
        {
            allocated = cache.backend.allocObject(object);
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            backendFailed(cache, ex);
            allocated = null;
        }

        if (null == allocated || object.backendObject != allocated)
        {
            counters.inc(StatCounter.OBJECTS_NO_ALLOC);
            if (null != object.backendObject)
            {
                cache.objectDestroyed();
            }
            return null;
        }
        counters.inc(StatCounter.OBJECTS_ALLOC);

        parentObject.family.childAdded();

        cookie.lock.lock();
        try
        {
            cookie.attachLocked(object);
        }
        finally
        {
            cookie.lock.unlock();
        }
        cache.registerObject(object);

        return object;
    }
}
