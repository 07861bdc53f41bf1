package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.device.AlignedBuffers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hit ratio of a full cache under a Zipf-distributed workload over a working set ten times its size, next to an
 * exact LRU simulation of the same trace at the same capacity in pages. Not a timing: a fixed seed gives fixed
 * figures.
 */
class HitRatioTest
{
    private static final long SEED = Long.getLong("cachefs.test.seed", 7L);
    private static final int PAGES_PER_FILE = 2;
    private static final int ACCESSES = 30_000;
    private static final double ZIPF_EXPONENT = 0.9;

    @TempDir
    Path dir;

    @Test
    void zipfHitRatioIsWithinFivePointsOfExactLru() throws IOException
    {
        final Path image = dir.resolve("cache.img");
        Mkfs.format(image, MkfsOptions.defaults().withSize(8L << 20), null);
        final MountOptions options = MountOptions.defaults().withCommitIntervalSeconds(0).withBackgroundCulling(false);
        final ByteBuffer page = AlignedBuffers.allocate(4096);
        final int[] trace;
        final int files;
        long hits = 0;
        long peakPages = 0;
        final long dataBlocks;
        try (CacheStore store = CacheStore.mount(image, options))
        {
            dataBlocks = store.layout().dataBlocks();
            files = (int)(dataBlocks * 10 / PAGES_PER_FILE);
            trace = zipfTrace(files, ACCESSES, ZIPF_EXPONENT, new SplittableRandom(SEED));
            for (final int file : trace)
            {
                final byte[] key = ("file-" + file).getBytes();
                ObjectRecord record = store.lookup(0, key);
                boolean hit = record != null;
                if (record == null)
                {
                    record = store.create(0, key, 1, new byte[0], CacheStore.UNLIMITED);
                }
                for (int p = 0; p < PAGES_PER_FILE; p++)
                {
                    if (hit && store.read(record, p, page.clear()) != CacheStore.READ_HIT)
                    {
                        hit = false;
                    }
                }
                if (!hit)
                {
                    for (int p = 0; p < PAGES_PER_FILE; p++)
                    {
                        page.clear().putInt(0, file).putInt(4, p).clear();
                        store.write(record, p, page);
                    }
                }
                store.release(record);
                hits += hit ? 1 : 0;
                peakPages = Math.max(peakPages, store.snapshot().pages());
                if (store.needsCulling())
                {
                    store.cull();
                }
            }
        }
        final long capacityFiles = peakPages / PAGES_PER_FILE;
        final long lruHits = lruHits(trace, capacityFiles);
        final double cacheRatio = 100.0 * hits / ACCESSES;
        final double lruRatio = 100.0 * lruHits / ACCESSES;
        System.out.printf("hit ratio: seed=%d, %d accesses, Zipf(%.1f) over %d files of %d pages (working set %d " +
            "pages, %.1fx the %d data blocks): cachefs %.2f %%, exact LRU at %d pages %.2f %%%n", SEED, ACCESSES,
            ZIPF_EXPONENT, files, PAGES_PER_FILE, (long)files * PAGES_PER_FILE,
            (double)files * PAGES_PER_FILE / dataBlocks, dataBlocks, cacheRatio, peakPages, lruRatio);
        assertThat(cacheRatio).as("cachefs hit ratio vs exact LRU %.2f %% (seed %d)", lruRatio, SEED)
            .isGreaterThanOrEqualTo(lruRatio - 5.0);
    }

    static int[] zipfTrace(final int items, final int length, final double exponent, final SplittableRandom random)
    {
        final double[] cdf = new double[items];
        double sum = 0;
        for (int i = 0; i < items; i++)
        {
            sum += 1.0 / Math.pow(i + 1, exponent);
            cdf[i] = sum;
        }
        final int[] trace = new int[length];
        for (int i = 0; i < length; i++)
        {
            final int at = Arrays.binarySearch(cdf, random.nextDouble() * sum);
            trace[i] = Math.min(items - 1, at >= 0 ? at : -at - 1);
        }
        return trace;
    }

    static long lruHits(final int[] trace, final long capacity)
    {
        final LinkedHashMap<Integer, Boolean> lru = new LinkedHashMap<>(16, 0.75f, true)
        {
            @Override
            protected boolean removeEldestEntry(final Map.Entry<Integer, Boolean> eldest)
            {
                return size() > capacity;
            }
        };
        long hits = 0;
        for (final int item : trace)
        {
            if (lru.get(item) != null)
            {
                hits++;
            }
            else
            {
                lru.put(item, Boolean.TRUE);
            }
        }
        return hits;
    }
}
