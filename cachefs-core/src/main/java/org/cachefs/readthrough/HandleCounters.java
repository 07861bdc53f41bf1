package org.cachefs.readthrough;

import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one {@link CachedFile} handle, added to by {@link ReadPath} beside the cache's own
 * {@link Counters}.
 * <p>
 * Threading: any thread (a handle is read by many at once).
 */
final class HandleCounters
{
    final LongAdder reads = new LongAdder();
    final LongAdder bytesRead = new LongAdder();
    final LongAdder hitBytes = new LongAdder();
    final LongAdder missBytes = new LongAdder();
    final LongAdder fallbacks = new LongAdder();
    final LongAdder fallbackBytes = new LongAdder();

    void read(final int bytes)
    {
        reads.increment();
        bytesRead.add(bytes);
    }

    void fallback(final long bytes)
    {
        fallbacks.increment();
        fallbackBytes.add(bytes);
    }

    CachedFileStats snapshot()
    {
        return new CachedFileStats(reads.sum(), bytesRead.sum(), hitBytes.sum(), missBytes.sum(), fallbacks.sum(),
            fallbackBytes.sum());
    }
}
