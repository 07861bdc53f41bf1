package org.cachefs.fscache.memory;

import org.cachefs.fscache.CheckAux;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.spi.CacheBackend;
import org.cachefs.fscache.spi.CacheContext;
import org.cachefs.fscache.spi.CacheObject;
import org.cachefs.fscache.spi.ObjectContext;
import org.cachefs.fscache.spi.ObjectState;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The object calls of a {@link MemoryCacheBackend} that work on the store: adding the backend to a cache, lookup
 * (binding a cache object to its stored entry, checking its auxiliary data, replacing an obsolete or mistyped entry,
 * creating a missing one), pinning, auxiliary data updates, attribute changes (truncation), space reservation and
 * dropping (retirement).
 * <p>
 * Threading: called by FS-Cache on its pool and netfs threads; each step runs under the backend's lock, released
 * before calling back into the core ({@link CacheObject#checkAux}, {@link CacheObject#obtainedObject} and the
 * other lookup utilities); {@link #initCache} holds it throughout. Holds no state of its own.
 */
final class MemoryObjectCalls
{
    private final ReentrantLock lock;
    private final MemoryStore store;
    private final String identifier;
    private final int pageSize;

    MemoryObjectCalls(final ReentrantLock lock, final MemoryStore store, final String identifier, final int pageSize)
    {
        this.lock = lock;
        this.store = store;
        this.identifier = identifier;
        this.pageSize = pageSize;
    }

    /**
     * {@link CacheBackend#initCache}: associate the backend with a cache, binding a new master index object to the
     * root entry; under the lock throughout.
     *
     * @param cache     the cache.
     * @param fsdef     the master index object's context.
     * @param pageCalls the backend's page calls, for the new object.
     * @return the master index object.
     */
    CacheObject initCache(final CacheContext cache, final ObjectContext fsdef, final MemoryPageCalls pageCalls)
    {
        lock.lock();
        try
        {
            if (!store.dissociated())
            {
                throw new IllegalStateException("memory cache '" + identifier + "' is already added");
            }
            if (cache.pageSize() != pageSize)
            {
                throw new IllegalArgumentException("memory cache '" + identifier + "' page size " + pageSize +
                    " does not match the cache page size " + cache.pageSize());
            }

            final MemoryObject master = new MemoryObject(fsdef, pageCalls);
            store.associate(master);

            return master;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * {@link CacheBackend#lookupObject}: bind the object to its stored entry and check its auxiliary data,
     * or replace or create the entry, and report the outcome to the core.
     */
    void lookupObject(final CacheObject object)
    {
        final MemoryObject memoryObject = (MemoryObject)object;
        final MemoryObject parentObject = (MemoryObject)object.parent();
        final ByteKey key = new ByteKey(object.key());
        MemoryEntry found = null;
        byte[] storedAux = null;
        long storedSize = -1;
        boolean failed = false;

        lock.lock();
        try
        {
            final MemoryEntry parentEntry = parentObject.entry;
            if (store.dissociated() || null == parentEntry)
            {
                failed = true;
            }
            else
            {
                found = parentEntry.children.get(key);
                if (null != found && null != found.bound)
                {
                    failed = true;
                }
                else if (null != found && found.type != object.type())
                {
                    store.removeSubtree(found);
                    found = null;
                }
                else if (null != found)
                {
                    store.bind(found, memoryObject);
                    storedAux = found.aux;
                    storedSize = found.sizeBytes;
                }
            }
        }
        finally
        {
            lock.unlock();
        }

        if (failed)
        {
            object.lookupError();
            return;
        }

        if (null != found)
        {
            final CheckAux verdict = object.checkAux(storedAux);
            if (verdict != CheckAux.OBSOLETE && storedSize >= 0)
            {
                object.setStoreLimit(storedSize);
            }
            if (verdict == CheckAux.OKAY)
            {
                object.obtainedObject();
                return;
            }

            lock.lock();
            try
            {
                if (verdict == CheckAux.NEEDS_UPDATE)
                {
                    found.aux = object.aux();
                }
                else
                {
                    found.bound = null;
                    memoryObject.entry = null;
                    store.removeSubtree(found);
                }
            }
            finally
            {
                lock.unlock();
            }

            if (verdict == CheckAux.NEEDS_UPDATE)
            {
                object.obtainedObject();
                return;
            }
        }

        object.lookupNegative();
        lock.lock();
        try
        {
            final MemoryEntry parentEntry = parentObject.entry;
            if (store.dissociated() || null == parentEntry)
            {
                failed = true;
            }
            else
            {
                store.bind(store.create(parentEntry, key, object.type(), object.aux()), memoryObject);
            }
        }
        finally
        {
            lock.unlock();
        }

        if (failed)
        {
            object.lookupError();
        }
        else
        {
            object.obtainedObject();
        }
    }

    /**
     * {@link CacheBackend#pinObject}: pin the object's entry within the pin limit.
     */
    Result pinObject(final CacheObject object)
    {
        lock.lock();
        try
        {
            final MemoryEntry entry = ((MemoryObject)object).entry;
            if (null == entry || store.dissociated())
            {
                return Result.NO_BUFS;
            }

            return store.pin(entry) ? Result.OK : Result.NO_SPACE;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * {@link CacheBackend#unpinObject}: unpin the object's entry.
     */
    void unpinObject(final CacheObject object)
    {
        lock.lock();
        try
        {
            final MemoryEntry entry = ((MemoryObject)object).entry;
            if (null != entry)
            {
                entry.pinned = false;
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * {@link CacheBackend#updateObject}: store the object's new auxiliary data.
     */
    Result updateObject(final CacheObject object)
    {
        final byte[] aux = object.aux();
        lock.lock();
        try
        {
            final MemoryEntry entry = ((MemoryObject)object).entry;
            if (null == entry || store.dissociated())
            {
                return Result.NO_BUFS;
            }
            entry.aux = aux;

            return Result.OK;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * {@link CacheBackend#dropObject}: unbind the object from its entry, removing the entry's subtree when
     * the object is retired.
     */
    void dropObject(final CacheObject object)
    {
        final boolean retire = object.state() == ObjectState.RECYCLING;
        lock.lock();
        try
        {
            store.drop((MemoryObject)object, retire);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * {@link CacheBackend#attrChanged}: set the store limit from the object's size and truncate its entry.
     */
    Result attrChanged(final CacheObject object)
    {
        final long size = object.objectSize();
        object.setStoreLimit(size);
        final long limit = size / pageSize + (size % pageSize != 0 ? 1 : 0);
        lock.lock();
        try
        {
            final MemoryEntry entry = ((MemoryObject)object).entry;
            if (null == entry || store.dissociated())
            {
                return Result.NO_BUFS;
            }

            store.truncate(entry, size, limit);

            return Result.OK;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * {@link CacheBackend#reserveSpace}: reserve capacity for the object's pages up to a size.
     */
    Result reserveSpace(final CacheObject object, final long size)
    {
        final long pages = size / pageSize + (size % pageSize != 0 ? 1 : 0);
        lock.lock();
        try
        {
            final MemoryEntry entry = ((MemoryObject)object).entry;
            if (null == entry || store.dissociated())
            {
                return Result.NO_BUFS;
            }

            return store.reserve(entry, pages) ? Result.OK : Result.NO_SPACE;
        }
        finally
        {
            lock.unlock();
        }
    }
}
