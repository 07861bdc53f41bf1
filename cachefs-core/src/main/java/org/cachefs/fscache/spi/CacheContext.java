package org.cachefs.fscache.spi;

/**
 * The core's handle on one added cache, given to the backend by
 * {@link CacheBackend#initCache(CacheContext, ObjectContext)}: the cache-wide utilities of the kernel's
 * {@code <linux/fscache-cache.h>}.
 * <p>
 * Implemented by the core; every method may be called from any thread.
 */
public interface CacheContext
{
    /**
     * The tag the cache was added under ({@code cache->tag->name}).
     *
     * @return the tag name.
     */
    String tag();

    /**
     * The page size of the cache, equal to the FS-Cache page size.
     *
     * @return bytes per page.
     */
    int pageSize();

    /**
     * Note an I/O error in the cache ({@code fscache_io_error}). Afterwards only release operations (object drop and
     * put, page uncaching, lookup completion) are passed from the netfs to the backend for this cache; the netfs sees
     * {@code NO_BUFS}. This does not withdraw the cache: that must be done separately. Idempotent.
     */
    void ioError();

    /**
     * Whether {@link #ioError()} has been called.
     *
     * @return true after an I/O error.
     */
    boolean isIoError();

    /**
     * Whether the cache is being or has been withdrawn.
     *
     * @return true once withdrawal began.
     */
    boolean isWithdrawn();

    /**
     * Tell the core that an object of this cache has been destroyed and deallocated ({@code fscache_object_destroyed}).
     * Withdrawal of the cache completes only when every object initialised for it has been reported here.
     */
    void objectDestroyed();
}
