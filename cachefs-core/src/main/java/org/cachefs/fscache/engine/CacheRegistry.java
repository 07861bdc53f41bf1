package org.cachefs.fscache.engine;

import org.cachefs.fscache.CacheTag;
import org.cachefs.fscache.CacheTagInUseException;
import org.cachefs.fscache.FsCache;
import org.cachefs.fscache.FsCacheOptions;
import org.cachefs.fscache.spi.CacheBackend;
import org.cachefs.fscache.spi.CacheObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The caches added to the engine, in the order they were added, and the cache tags by name
 * ({@code fscache_cache_list}, {@code fscache_cache_tag_list}): adding a cache ({@code fscache_add_cache}), withdrawing
 * one ({@code fscache_withdraw_cache}: apply what it accepted, detach it, sync, unbind its cookies, wait for its
 * objects to die), and looking up and releasing tags.
 * <p>
 * Threading: any thread; the list and the tags, and the tags' bindings and usage counts, are guarded by the engine's
 * {@link CacheEngine#structureLock}. A withdrawal waits without it, and refuses to run on a pool thread.
 */
final class CacheRegistry
{
    private final CacheEngine engine;
    private final ReentrantLock structureLock;
    private final ArrayList<CacheImpl> caches = new ArrayList<>();
    private final HashMap<String, TagBinding> tags = new HashMap<>();

    CacheRegistry(final CacheEngine engine)
    {
        this.engine = engine;
        this.structureLock = engine.structureLock;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Caches.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * See {@link FsCache#addCache(CacheBackend, String)}.
     */
    void addCache(final CacheBackend backend, final String tag)
    {
        if (null == backend)
        {
            throw new IllegalArgumentException("backend must not be null");
        }

        structureLock.lock();
        try
        {
            engine.ensureOpenLocked();
            final int pageSize = engine.pageSize();
            if (backend.pageSize() != pageSize)
            {
                throw new IllegalArgumentException("cache backend '" + backend.identifier() + "' page size " +
                    backend.pageSize() + " does not match the FS-Cache page size " + pageSize);
            }

            for (int i = 0, n = caches.size(); i < n; i++)
            {
                if (caches.get(i).backend == backend)
                {
                    throw new IllegalStateException("cache backend '" + backend.identifier() + "' is already added");
                }
            }

            final String tagName = null == tag || tag.isEmpty() ? backend.identifier() : tag;
            TagBinding cacheTag = tags.get(tagName);
            if (null != cacheTag && null != cacheTag.cache)
            {
                throw new CacheTagInUseException(tagName, cacheTag.cache.identifier);
            }
            if (null == cacheTag)
            {
                cacheTag = new TagBinding(engine, tagName);
            }

            final CookieImpl masterIndex = engine.masterIndex;
            final CacheImpl cache = new CacheImpl(engine, backend, cacheTag);
            final FsObject fsdef = new FsObject(engine, cache, masterIndex, null, engine.nextDebugId());
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
            final Jmx jmx = engine.jmx;
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
     * See {@link FsCache#withdrawCache(CacheBackend)}.
     */
    void withdrawCache(final CacheBackend backend)
    {
        applyAccepted(cacheOf(backend, null));
        final CacheImpl cache;
        structureLock.lock();
        try
        {
            cache = findCacheLocked(backend, null);
            if (null == cache)
            {
                throw new IllegalArgumentException("no cache is added with backend " + backend);
            }
            detachCacheLocked(cache);
        }
        finally
        {
            structureLock.unlock();
        }

        withdraw(cache);
    }

    /**
     * See {@link FsCache#withdrawCache(String)}.
     */
    void withdrawCache(final String tag)
    {
        applyAccepted(cacheOf(null, tag));
        final CacheImpl cache;
        structureLock.lock();
        try
        {
            cache = findCacheLocked(null, tag);
            if (null == cache)
            {
                throw new IllegalArgumentException("no cache is added with tag '" + tag + "'");
            }
            detachCacheLocked(cache);
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
            return findCacheLocked(backend, tag);
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
    void applyAccepted(final CacheImpl cache)
    {
        if (null == cache || cache.isIoError())
        {
            return;
        }
        final long timeout = engine.options().withdrawTimeout().toNanos();
        final long deadline = System.nanoTime() + timeout;
        final long stall = Math.min(timeout, TimeUnit.SECONDS.toNanos(1));
        final ArrayList<FsObject> objects = cache.liveObjects();
        for (int i = 0, n = objects.size(); i < n; i++)
        {
            objects.get(i).accepted.awaitAccepted(deadline, stall);
        }
    }

    private CacheImpl findCacheLocked(final CacheBackend backend, final String tag)
    {
        if (engine.pool().isPoolThread())
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

    /**
     * The cache stops taking new objects: it leaves the list, its tag is unbound, its MBean unregistered.
     */
    void detachCacheLocked(final CacheImpl cache)
    {
        cache.withdrawn = true;
        caches.remove(cache);
        cache.tag.cache = null;
        final Jmx jmx = engine.jmx;
        if (jmx != null)
        {
            jmx.unregister(cache.mbeanName);
            cache.mbeanName = null;
        }
    }

    /**
     * Withdraw a detached cache: sync, dissociate pages, unbind every object from its cookie, wait for the objects to
     * die, drop the cache's use of its tag.
     *
     * @throws IllegalStateException if the objects do not die within the withdrawal timeout.
     */
    void withdraw(final CacheImpl cache)
    {
        final CacheBackend backend = cache.backend;
        try
        {
            backend.sync();
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            engine.reportError(ex);
        }

        try
        {
            backend.dissociatePages();
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            engine.reportError(ex);
        }

        final ArrayList<FsObject> objects = cache.liveObjects();
        for (int i = 0, n = objects.size(); i < n; i++)
        {
            final FsObject object = objects.get(i);
            object.cookie.withdrawObject(object);
        }

        final FsCacheOptions options = engine.options();
        final String remaining = cache.awaitCleared(options.withdrawTimeout().toNanos());

        structureLock.lock();
        try
        {
            final TagBinding tag = cache.tag;
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

    /**
     * @return the caches added, in the order they were added; called under the structure lock.
     */
    ArrayList<CacheImpl> snapshotLocked()
    {
        return new ArrayList<>(caches);
    }

    boolean isEmptyLocked()
    {
        return caches.isEmpty();
    }

    /**
     * @return the first cache added that is not in I/O error, or null; called under the structure lock.
     */
    CacheImpl firstUsableLocked()
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

    /**
     * See {@link FsCache#cacheTags()}.
     */
    String[] cacheTags()
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

    // ---------------------------------------------------------------------------------------------------------------
    // Tags.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * See {@link FsCache#lookupCacheTag(String)}.
     */
    CacheTag lookupCacheTag(final String name)
    {
        if (null == name || name.isEmpty())
        {
            return CacheTag.NO_CACHE;
        }

        structureLock.lock();
        try
        {
            TagBinding binding = tags.get(name);
            if (null == binding)
            {
                binding = new TagBinding(engine, name);
                tags.put(name, binding);
            }
            binding.usage++;

            return binding.tag;
        }
        finally
        {
            structureLock.unlock();
        }
    }

    /**
     * See {@link FsCache#releaseCacheTag(CacheTag)}.
     */
    void releaseCacheTag(final CacheTag tag)
    {
        if (null == tag || tag == CacheTag.NO_CACHE)
        {
            return;
        }

        final TagBinding binding = TagBinding.of(tag);
        if (binding.owner != engine)
        {
            throw new IllegalArgumentException("cache tag '" + tag.name() + "' belongs to another FsCache");
        }

        structureLock.lock();
        try
        {
            binding.usage--;
            if (binding.usage <= 0 && null == binding.cache)
            {
                tags.remove(binding.name(), binding);
            }
        }
        finally
        {
            structureLock.unlock();
        }
    }
}
