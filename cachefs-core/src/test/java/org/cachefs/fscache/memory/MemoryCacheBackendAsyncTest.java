package org.cachefs.fscache.memory;

import org.cachefs.fscache.spi.CacheBackend;

/**
 * The backend contract on the in-memory backend with reads completed on the FS-Cache pool through retrieval
 * enqueueing.
 */
public class MemoryCacheBackendAsyncTest extends MemoryCacheBackendTest
{
    protected CacheBackend newBackend(final int capacityPages, final int pageSize)
    {
        return MemoryCacheBackend.builder().capacityPages(capacityPages).pageSize(pageSize).asyncReads(true).build();
    }
}
