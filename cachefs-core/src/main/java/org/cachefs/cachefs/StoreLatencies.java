package org.cachefs.cachefs;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latency recorders of a {@link CacheStore}'s operations (what each covers: {@link CacheFsLatencies}): page hits,
 * misses, page stores, commits and culling passes, in nanoseconds of {@link System#nanoTime()}, with two significant
 * digits (within 1 %) up to {@link #MAX_NANOS}, longer times counted as that. A caller takes the start time with
 * {@link System#nanoTime()} and hands it to the method of its operation, which reads the clock once more and records
 * the difference: two clock reads and one recording per operation, nothing allocated.
 * <p>
 * RAM-tier hits are sampled: a hit costs about a microsecond, and two clock reads and a recording about 55 ns on one
 * thread, several times that when threads record at once (the recorder's counters are shared memory lines). Only one
 * RAM-tier hit in {@value #RAM_HIT_SAMPLING}, chosen by {@link #sampleRamHit()}, is timed, and it counts
 * {@value #RAM_HIT_SAMPLING}, so that its share of the hit percentiles is that of all RAM-tier hits. Every other
 * operation is timed: hits from the device wait for an I/O, misses for the server, and stores, commits and culls cost
 * microseconds or more.
 * <p>
 * Threading: recording from any thread at once; {@link #snapshot()} from any thread, serialised on this object.
 */
final class StoreLatencies
{
    /** Longest time recorded as itself: longer ones count as this. */
    static final long MAX_NANOS = TimeUnit.MINUTES.toNanos(10);

    /** One RAM-tier hit in this many is timed (a power of two). */
    static final int RAM_HIT_SAMPLING = 8;

    private static final int SIGNIFICANT_DIGITS = 2;

    private final Recorder hits = new Recorder(MAX_NANOS, SIGNIFICANT_DIGITS);
    private final Recorder misses = new Recorder(MAX_NANOS, SIGNIFICANT_DIGITS);
    private final Recorder stores = new Recorder(MAX_NANOS, SIGNIFICANT_DIGITS);
    private final Recorder commits = new Recorder(MAX_NANOS, SIGNIFICANT_DIGITS);
    private final Recorder culls = new Recorder(MAX_NANOS, SIGNIFICANT_DIGITS);
    private final Totals hitTotal = new Totals();
    private final Totals missTotal = new Totals();
    private final Totals storeTotal = new Totals();
    private final Totals commitTotal = new Totals();
    private final Totals cullTotal = new Totals();

    /**
     * @return true if the RAM-tier hit about to be served is to be timed: one in {@value #RAM_HIT_SAMPLING}, at
     * random.
     */
    static boolean sampleRamHit()
    {
        return (ThreadLocalRandom.current().nextInt() & (RAM_HIT_SAMPLING - 1)) == 0;
    }

    /**
     * Records a page hit that started at {@code startNanos}: from the device.
     */
    void hit(final long startNanos)
    {
        hits.recordValue(since(startNanos));
    }

    /**
     * Records a RAM-tier hit chosen by {@link #sampleRamHit()}, counted {@value #RAM_HIT_SAMPLING} times.
     */
    void ramHit(final long startNanos)
    {
        hits.recordValueWithCount(since(startNanos), RAM_HIT_SAMPLING);
    }

    void miss(final long startNanos)
    {
        misses.recordValue(since(startNanos));
    }

    /**
     * Records a call that stored {@code pages} pages: each page counts the call's time divided by the pages.
     */
    void stores(final long startNanos, final int pages)
    {
        if (pages > 0)
        {
            stores.recordValueWithCount(since(startNanos) / pages, pages);
        }
    }

    /**
     * Records a multi-page read of {@code pages} pages that started at {@code startNanos}: {@code hits} pages read
     * from the device and {@code misses} not stored each count the call's time divided by {@code pages} (pages the RAM
     * tier served are timed by {@link #ramHit}).
     */
    void pageReads(final long startNanos, final int pages, final int hits, final int misses)
    {
        if (pages > 0 && (hits > 0 || misses > 0))
        {
            final long perPage = since(startNanos) / pages;
            if (hits > 0)
            {
                this.hits.recordValueWithCount(perPage, hits);
            }
            if (misses > 0)
            {
                this.misses.recordValueWithCount(perPage, misses);
            }
        }
    }

    void commit(final long startNanos)
    {
        commits.recordValue(since(startNanos));
    }

    void cull(final long startNanos)
    {
        culls.recordValue(since(startNanos));
    }

    private static long since(final long startNanos)
    {
        return Math.min(System.nanoTime() - startNanos, MAX_NANOS);
    }

    /**
     * @return the latencies recorded since this was made.
     */
    synchronized CacheFsLatencies snapshot()
    {
        return new CacheFsLatencies(hitTotal.add(hits), missTotal.add(misses), storeTotal.add(stores),
            commitTotal.add(commits), cullTotal.add(culls));
    }

    /**
     * The times of one recorder since mount, and the interval histogram it hands back each time, reused. Used under
     * the lock of {@link #snapshot()}.
     */
    private static final class Totals
    {
        private final Histogram total = new Histogram(MAX_NANOS, SIGNIFICANT_DIGITS);
        private Histogram interval;

        LatencySummary add(final Recorder recorder)
        {
            interval = recorder.getIntervalHistogram(interval);
            total.add(interval);
            return new LatencySummary(total.getTotalCount(), total.getValueAtPercentile(50),
                total.getValueAtPercentile(99), total.getValueAtPercentile(99.9), total.getMaxValue());
        }
    }
}
