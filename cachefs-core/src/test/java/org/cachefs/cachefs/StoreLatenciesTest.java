package org.cachefs.cachefs;

import java.lang.management.ManagementFactory;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store's latency recorders on their own: what each recording counts, the clamp at {@link
 * StoreLatencies#MAX_NANOS}, the division of a multi-page store, the weight and rate of sampled RAM-tier hits, the
 * snapshots' accumulation, and recording without allocation.
 */
class StoreLatenciesTest
{
    private static final LatencySummary NONE = new LatencySummary(0, 0, 0, 0, 0);

    /** What a time of {@code nanos} reads back as: the highest value of its histogram bucket. */
    private static long bucketOf(final long nanos)
    {
        return new Histogram(StoreLatencies.MAX_NANOS, 2).highestEquivalentValue(nanos);
    }

    /** A start time {@code nanos} before now. */
    private static long ago(final long nanos)
    {
        return System.nanoTime() - nanos;
    }

    @Test
    void nothingRecordedIsAllZero()
    {
        assertThat(new StoreLatencies().snapshot()).isEqualTo(new CacheFsLatencies(NONE, NONE, NONE, NONE, NONE));
    }

    @Test
    void eachOperationCountsInItsOwnSummaryAndLongTimesAreClamped()
    {
        final StoreLatencies latencies = new StoreLatencies();
        final long clamped = bucketOf(StoreLatencies.MAX_NANOS);
        final long over = 2 * StoreLatencies.MAX_NANOS;
        for (int i = 0; i < 3; i++)
        {
            latencies.hit(ago(over));
        }
        for (int i = 0; i < 5; i++)
        {
            latencies.miss(ago(over));
        }
        latencies.commit(ago(over));
        latencies.commit(ago(over));
        latencies.cull(ago(over));
        latencies.stores(ago(over), 1);

        final CacheFsLatencies snapshot = latencies.snapshot();
        assertThat(snapshot.hits()).isEqualTo(new LatencySummary(3, clamped, clamped, clamped, clamped));
        assertThat(snapshot.misses()).isEqualTo(new LatencySummary(5, clamped, clamped, clamped, clamped));
        assertThat(snapshot.commits()).isEqualTo(new LatencySummary(2, clamped, clamped, clamped, clamped));
        assertThat(snapshot.culls()).isEqualTo(new LatencySummary(1, clamped, clamped, clamped, clamped));
        assertThat(snapshot.stores()).isEqualTo(new LatencySummary(1, clamped, clamped, clamped, clamped));
        assertThat(clamped).isBetween(StoreLatencies.MAX_NANOS, StoreLatencies.MAX_NANOS / 100 * 101);
    }

    @Test
    void aMultiPageStoreCountsEachPageWithItsShareOfTheTime()
    {
        final StoreLatencies latencies = new StoreLatencies();
        latencies.stores(ago(2 * StoreLatencies.MAX_NANOS), 8);
        latencies.stores(ago(1000), 0);
        final long share = bucketOf(StoreLatencies.MAX_NANOS / 8);
        assertThat(latencies.snapshot().stores()).isEqualTo(new LatencySummary(8, share, share, share, share));
    }

    @Test
    void percentilesFollowTheTimesRecorded()
    {
        final StoreLatencies latencies = new StoreLatencies();
        final long over = 2 * StoreLatencies.MAX_NANOS;
        // 990 short hits and 10 clamped ones: the median is short, the 99.9th percentile clamped.
        for (int i = 0; i < 990; i++)
        {
            latencies.hit(System.nanoTime());
        }
        for (int i = 0; i < 10; i++)
        {
            latencies.hit(ago(over));
        }
        final LatencySummary hits = latencies.snapshot().hits();
        assertThat(hits.count()).isEqualTo(1000);
        assertThat(hits.p50Nanos()).isLessThan(StoreLatencies.MAX_NANOS / 1000);
        assertThat(hits.p99Nanos()).isLessThan(StoreLatencies.MAX_NANOS / 1000);
        assertThat(hits.p999Nanos()).isEqualTo(bucketOf(StoreLatencies.MAX_NANOS));
        assertThat(hits.maxNanos()).isEqualTo(bucketOf(StoreLatencies.MAX_NANOS));
    }

    @Test
    void snapshotsAccumulateSinceTheStart()
    {
        final StoreLatencies latencies = new StoreLatencies();
        final long clamped = bucketOf(StoreLatencies.MAX_NANOS);
        latencies.miss(ago(2 * StoreLatencies.MAX_NANOS));
        assertThat(latencies.snapshot().misses()).isEqualTo(new LatencySummary(1, clamped, clamped, clamped, clamped));
        assertThat(latencies.snapshot().misses()).isEqualTo(new LatencySummary(1, clamped, clamped, clamped, clamped));
        latencies.miss(ago(2 * StoreLatencies.MAX_NANOS));
        assertThat(latencies.snapshot().misses()).isEqualTo(new LatencySummary(2, clamped, clamped, clamped, clamped));
    }

    @Test
    void aSampledRamHitCountsForTheHitsNotTimed()
    {
        final StoreLatencies latencies = new StoreLatencies();
        for (int i = 0; i < 5; i++)
        {
            latencies.ramHit(ago(2 * StoreLatencies.MAX_NANOS));
        }
        latencies.hit(ago(2 * StoreLatencies.MAX_NANOS));
        final long clamped = bucketOf(StoreLatencies.MAX_NANOS);
        assertThat(latencies.snapshot().hits()).isEqualTo(
            new LatencySummary(5 * StoreLatencies.RAM_HIT_SAMPLING + 1, clamped, clamped, clamped, clamped));
    }

    @Test
    void oneRamHitInEightIsSampled()
    {
        // ThreadLocalRandom cannot be seeded: the bound is 20 standard deviations (about 94 here) either side.
        int sampled = 0;
        for (int i = 0; i < 80_000; i++)
        {
            sampled += StoreLatencies.sampleRamHit() ? 1 : 0;
        }
        assertThat(sampled).isBetween(8_000, 12_000);
    }

    @Test
    void recordingAllocatesNothing()
    {
        final com.sun.management.ThreadMXBean bean =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final StoreLatencies latencies = new StoreLatencies();
        long allocated = 0;
        for (int round = 0; round < 6; round++)
        {
            final long before = bean.getCurrentThreadAllocatedBytes();
            record(latencies, 20_000);
            // The first rounds warm up (classes, compiled code); the last two are measured.
            if (round >= 4)
            {
                allocated += bean.getCurrentThreadAllocatedBytes() - before;
            }
        }
        // 280,000 recordings: a single object allocated per recording would be 16 bytes or more, 4.48 MB in all.
        assertThat(allocated).isLessThan(1_000);
        assertThat(latencies.snapshot().commits().count()).isEqualTo(6 * 20_000);
    }

    private static void record(final StoreLatencies latencies, final int times)
    {
        for (int i = 0; i < times; i++)
        {
            latencies.hit(System.nanoTime());
            if (StoreLatencies.sampleRamHit())
            {
                latencies.ramHit(System.nanoTime());
            }
            latencies.miss(System.nanoTime());
            latencies.stores(System.nanoTime(), 1);
            latencies.stores(System.nanoTime(), 4);
            latencies.commit(System.nanoTime());
            latencies.cull(System.nanoTime());
        }
    }
}
