package org.cachefs.fscache.engine;

import org.cachefs.fscache.FsCache;
import org.cachefs.fscache.FsCacheStats;
import org.cachefs.fscache.StatCounter;

import java.util.concurrent.atomic.LongAdder;

/**
 * The live statistics counters of one {@link FsCache}: one {@link LongAdder} per {@link StatCounter}, incremented
 * from any thread without locking.
 */
final class Stats
{
    private final LongAdder[] adders = new LongAdder[StatCounter.values().length];

    Stats()
    {
        for (int i = 0; i < adders.length; i++)
        {
            adders[i] = new LongAdder();
        }
    }

    void inc(final StatCounter counter)
    {
        adders[counter.ordinal()].increment();
    }

    void add(final StatCounter counter, final long delta)
    {
        adders[counter.ordinal()].add(delta);
    }

    FsCacheStats snapshot()
    {
        final long[] values = new long[adders.length];
        for (int i = 0; i < adders.length; i++)
        {
            values[i] = adders[i].sum();
        }

        return FsCacheStats.of(values);
    }
}
