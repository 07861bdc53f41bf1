package org.cachefs.fscache.engine;

import org.cachefs.fscache.CacheTag;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.CookieDefinition;
import org.cachefs.fscache.StatCounter;
import org.cachefs.fscache.spi.CacheObject;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Binds a newly acquired non-index cookie to a cache ({@code fscache_acquire_non_index_cookie}): picks the cache
 * ({@code fscache_select_cache_for_object}: the cache of the parent's object, else the one the index's
 * {@link CookieDefinition#selectCache} names, else the first added that is not in error), allocates the cookie's
 * object there and those of its ancestors missing there ({@code fscache_alloc_object}), and starts the lookup.
 * <p>
 * Threading: the acquiring thread, holding the engine's {@link CacheEngine#structureLock} throughout (so
 * {@link org.cachefs.fscache.spi.CacheBackend#allocObject} must not block); cookie locks are taken under it, one at a
 * time. No state of its own.
 */
final class ObjectBinder
{
    private final CacheEngine engine;
    private final ReentrantLock structureLock;

    ObjectBinder(final CacheEngine engine)
    {
        this.engine = engine;
        this.structureLock = engine.structureLock;
    }

    /**
     * Bind a new non-index cookie to a cache.
     *
     * @return the cookie, or the no-op cookie if no cache could take it.
     */
    Cookie bindNonIndex(final CookieImpl cookie)
    {
        final Stats counters = engine.counters();
        structureLock.lock();
        try
        {
            final CacheRegistry caches = engine.caches;
            if (caches.isEmptyLocked())
            {
                counters.inc(StatCounter.ACQUIRES_OK);
                return cookie;
            }

            final CacheImpl cache = selectCacheForObjectLocked(cookie.parent);
            if (null == cache)
            {
                counters.inc(StatCounter.ACQUIRES_NO_CACHE);
                counters.inc(StatCounter.ACQUIRES_NO_BUFS);
                cookie.parent.removeChild(cookie);
                return engine.noopCookie();
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

            final FsObject object = allocObjectLocked(cache, cookie);
            if (null == object)
            {
                counters.inc(StatCounter.ACQUIRES_NO_BUFS);
                cookie.parent.removeChild(cookie);
                return engine.noopCookie();
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
     * Pick the cache for a new object below {@code cookie}.
     */
    private CacheImpl selectCacheForObjectLocked(final CookieImpl cookie)
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
                engine.reportError(ex);
            }
        }

        if (null == tag)
        {
            return engine.caches.firstUsableLocked();
        }

        final TagBinding binding = TagBinding.of(tag);
        if (null == binding || binding.owner != engine)
        {
            return null;
        }

        final CacheImpl cache = binding.cache;
        return null == cache || cache.isIoError() || cache.isWithdrawn() ? null : cache;
    }

    /**
     * Find or create the object of {@code cookie} in {@code cache}, instantiating its ancestors there as needed.
     */
    private FsObject allocObjectLocked(final CacheImpl cache, final CookieImpl cookie)
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

        final FsObject parentObject = allocObjectLocked(cache, cookie.parent);
        if (null == parentObject)
        {
            return null;
        }

        final FsObject object = new FsObject(engine, cache, cookie, parentObject, engine.nextDebugId());
        CacheObject allocated;
        try
        {
            allocated = cache.backend.allocObject(object);
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            engine.backendFailed(cache, ex);
            allocated = null;
        }

        final Stats counters = engine.counters();
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
