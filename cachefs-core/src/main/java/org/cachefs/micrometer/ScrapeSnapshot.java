package org.cachefs.micrometer;

import java.util.Map;

import io.micrometer.core.instrument.Clock;

import org.cachefs.cachefs.CacheFsBackend;
import org.cachefs.cachefs.CullingStats;
import org.cachefs.fscache.FsCache;
import org.cachefs.fscache.FsCacheStats;
import org.cachefs.fscache.StatCounter;

/**
 * The figures of one cache as one registry's meters read them: the backend's {@link CacheFsBackend#usage()} and
 * {@link CacheFsBackend#cullingStats()} and the FS-Cache's {@link FsCache#stats()}, each taken once and served to every
 * meter read within {@link CacheFsMetrics#SNAPSHOT_NANOS} of the registry's clock, so that the meters of one scrape
 * come from one instant (a latency's percentiles and maximum from one summary, ordered).
 * <p>
 * Threading: created by {@link CacheFsMetrics#bindTo}, then read by the registry's threads; every read is under this
 * object's monitor, held while a snapshot is taken.
 */
final class ScrapeSnapshot
{
    private final Clock clock;
    private final CacheFsBackend backend;
    private final FsCache fsCache;
    private boolean taken;
    private long takenAtNanos;
    private Map<String, Long> usage;
    private CullingStats culling;
    private FsCacheStats engine;

    /**
     * @param clock   the registry's clock.
     * @param backend the mounted cache, or null to read the FS-Cache's counters only.
     * @param fsCache the FS-Cache, or null to read the backend's figures only.
     */
    ScrapeSnapshot(final Clock clock, final CacheFsBackend backend, final FsCache fsCache)
    {
        this.clock = clock;
        this.backend = backend;
        this.fsCache = fsCache;
    }

    /**
     * @param key a key of {@link CacheFsBackend#usage()}.
     * @return its value in the current snapshot.
     */
    synchronized double usage(final String key)
    {
        refresh();
        return usage.get(key);
    }

    /**
     * @param key a key of {@link CacheFsBackend#usage()} counting blocks.
     * @return the bytes of those blocks in the current snapshot.
     */
    synchronized double usageBytes(final String key)
    {
        refresh();
        return (double)usage.get(key) * usage.get("blockSize");
    }

    /**
     * @return the culling figures of the current snapshot.
     */
    synchronized CullingStats culling()
    {
        refresh();
        return culling;
    }

    /**
     * @param counter an FS-Cache counter.
     * @return its value in the current snapshot.
     */
    synchronized double engine(final StatCounter counter)
    {
        refresh();
        return engine.get(counter);
    }

    private void refresh()
    {
        final long now = clock.monotonicTime();
        if (taken && now - takenAtNanos < CacheFsMetrics.SNAPSHOT_NANOS)
        {
            return;
        }
        if (null != backend)
        {
            usage = backend.usage();
            culling = backend.cullingStats();
        }
        if (null != fsCache)
        {
            engine = fsCache.stats();
        }
        taken = true;
        takenAtNanos = now;
    }
}
