package org.cachefs.fscache;

import org.cachefs.fscache.engine.CacheEngine;
import org.cachefs.fscache.spi.CacheBackend;

import java.util.concurrent.TimeUnit;

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
 * <li>One structure lock guards the cache list, tags and netfs registrations, and is held while objects are
 * allocated for an acquisition ({@link CacheBackend#allocObject} must not block).</li>
 * <li>Operations on one object are admitted in order: shared ones (reads, allocations, writes, pin, reserve) run
 * together; an exclusive one (attribute change) waits for those in progress and holds back those after it.</li>
 * <li>{@link #withdrawCache} and {@link #close()} wait for the pool and must not be called from a pool thread or a
 * backend operation.</li>
 * </ul>
 * Statistics are {@link java.util.concurrent.atomic.LongAdder}s, read with {@link #stats()}.
 * <p>
 * This class is the public face of the engine: each method hands the call to the engine root behind it, which owns
 * all the state.
 */
public final class FsCache implements AutoCloseable
{
    private final CacheEngine engine;

    private FsCache(final FsCacheOptions options)
    {
        this.engine = new CacheEngine(options);
    }

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
        return engine.options();
    }

    /**
     * The page size.
     *
     * @return bytes per page.
     */
    public int pageSize()
    {
        return engine.pageSize();
    }

    /**
     * The no-op cookie of this FS-Cache, the stand-in for the kernel's NULL cookie.
     *
     * @return the no-op cookie.
     */
    public Cookie noopCookie()
    {
        return engine.noopCookie();
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
        engine.addCache(backend, tag);
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
        engine.withdrawCache(backend);
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
        engine.withdrawCache(tag);
    }

    /**
     * @return the name this FS-Cache is registered under with the platform MBean server
     * ({@code org.cachefs:type=FsCache}, with {@code ,instance=N} for all but the first of the JVM), or null if JMX
     * is off or registration failed.
     */
    public javax.management.ObjectName jmxName()
    {
        return engine.jmxName();
    }

    /**
     * @return the tags of the caches added, in the order they were added.
     */
    public String[] cacheTags()
    {
        return engine.cacheTags();
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
        return engine.lookupCacheTag(name);
    }

    /**
     * Release a tag reference taken by {@link #lookupCacheTag(String)} ({@code fscache_release_cache_tag}).
     *
     * @param tag the tag.
     * @throws IllegalArgumentException if the tag belongs to another FS-Cache.
     */
    public void releaseCacheTag(final CacheTag tag)
    {
        engine.releaseCacheTag(tag);
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
        return engine.registerNetfs(name, version);
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
        engine.unregisterNetfs(netfs);
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
        return engine.stats();
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
        return engine.awaitIdle(timeout, unit);
    }

    /**
     * Withdraw every cache and stop the thread pool. Cookies stay usable as unbacked cookies. Idempotent.
     *
     * @throws IllegalStateException if called from a pool thread, or if a withdrawal timed out (after all caches
     *                               were withdrawn and the pool stopped).
     */
    public void close()
    {
        engine.close();
    }

    /**
     * The live objects of every cache, one line each (id, state, cookie, operation and child counts, events), in the
     * spirit of the kernel's object list; used for diagnostics.
     */
    String describeObjects()
    {
        return engine.describeObjects();
    }
}
