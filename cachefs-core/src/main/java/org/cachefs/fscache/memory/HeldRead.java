package org.cachefs.fscache.memory;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.spi.Retrieval;

/**
 * A read of a present page held in flight by {@link MemoryCacheBackend#holdReads()}: the retrieval and page to end,
 * and the result worked out when it is released.
 * <p>
 * Threading: guarded by the backend's lock while held; {@link #result} is set under it at release and read after
 * the lock is released by the releasing thread only.
 */
final class HeldRead
{
    final Retrieval op;
    final CachePage page;
    Result result;

    HeldRead(final Retrieval op, final CachePage page)
    {
        this.op = op;
        this.page = page;
    }
}
