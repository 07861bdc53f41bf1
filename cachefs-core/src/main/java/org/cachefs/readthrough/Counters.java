package org.cachefs.readthrough;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The statistics of one {@link ReadThroughCache}: adders, and latency recorders of reads served from the cache and of
 * origin requests. Recording allocates nothing.
 * <p>
 * Threading: any thread.
 */
final class Counters
{
    private static final long MAX_NANOS = TimeUnit.MINUTES.toNanos(10);

    final LongAdder reads = new LongAdder();
    final LongAdder bytesRead = new LongAdder();
    final LongAdder hitReads = new LongAdder();
    final LongAdder hitBytes = new LongAdder();
    final LongAdder missBytes = new LongAdder();
    final LongAdder originRequests = new LongAdder();
    final LongAdder originBytes = new LongAdder();
    final LongAdder originStats = new LongAdder();
    final LongAdder fallbacks = new LongAdder();
    final LongAdder fallbackBytes = new LongAdder();
    final LongAdder storedPages = new LongAdder();
    final LongAdder refusedPages = new LongAdder();
    final LongAdder readaheadFetches = new LongAdder();
    final LongAdder versionChanges = new LongAdder();
    final LongAdder storeErrors = new LongAdder();
    private final Recorder hitLatency = new Recorder(MAX_NANOS, 3);
    private final Recorder originLatency = new Recorder(MAX_NANOS, 3);
    private final Histogram hitTotal = new Histogram(MAX_NANOS, 3);
    private final Histogram originTotal = new Histogram(MAX_NANOS, 3);
    volatile int unavailableImages;

    void read(final int bytes, final boolean hit, final long nanos)
    {
        reads.increment();
        bytesRead.add(bytes);
        if (hit)
        {
            hitReads.increment();
            hitLatency.recordValue(Math.min(nanos, MAX_NANOS));
        }
    }

    void origin(final int bytes, final long nanos)
    {
        originRequests.increment();
        originBytes.add(bytes);
        originLatency.recordValue(Math.min(nanos, MAX_NANOS));
    }

    void fallback(final long bytes)
    {
        fallbacks.increment();
        fallbackBytes.add(bytes);
    }

    ReadThroughStats snapshot()
    {
        final Histogram hits;
        final Histogram origin;
        synchronized (this)
        {
            hitTotal.add(hitLatency.getIntervalHistogram());
            originTotal.add(originLatency.getIntervalHistogram());
            hits = hitTotal.copy();
            origin = originTotal.copy();
        }
        return new ReadThroughStats(reads.sum(), bytesRead.sum(), hitReads.sum(), hitBytes.sum(), missBytes.sum(),
            originRequests.sum(), originBytes.sum(), originStats.sum(), fallbacks.sum(), fallbackBytes.sum(),
            storedPages.sum(), refusedPages.sum(), storeErrors.sum(), readaheadFetches.sum(), versionChanges.sum(), unavailableImages,
            hits, origin);
    }
}
