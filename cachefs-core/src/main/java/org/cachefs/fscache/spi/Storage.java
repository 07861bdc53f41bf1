package org.cachefs.fscache.spi;

/**
 * The record of outstanding writes of one object ({@code struct fscache_storage}), passed to
 * {@link CacheBackend#writePage(Storage, org.cachefs.fscache.CachePage)}. The core enqueues it on its thread pool
 * and calls the backend for one pending page at a time.
 * <p>
 * Implemented by the core.
 */
public interface Storage
{
    /**
     * The object being written.
     *
     * @return the backend object.
     */
    CacheObject object();

    /**
     * The store limit in pages when the page was handed over ({@code store_limit}).
     *
     * @return pages.
     */
    long storeLimit();
}
