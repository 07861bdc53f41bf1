package org.cachefs.cachefs;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import java.util.concurrent.TimeUnit;

import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.readthrough.CachedFile;
import org.cachefs.readthrough.GeneratedOrigin;
import org.cachefs.readthrough.ReadThroughCache;
import org.cachefs.readthrough.ReadThroughOptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The latencies of a mounted cache ({@link CacheFsBackend#latencies()} and the latency keys of
 * {@link CacheFsBackend#usage()}): every hit, miss, page store, commit and culling pass is counted exactly once, the
 * percentiles are ordered, RAM-tier hits are sampled with their weight, and the read path still allocates nothing.
 */
class CacheFsLatenciesTest
{
    private static final int PAGE = 4096;
    private static final MountOptions OPTIONS = MountOptions.defaults().withCommitIntervalSeconds(0)
        .withBackgroundCulling(false).withRamTierBytes(0);

    @TempDir
    Path dir;
    Path image;

    @BeforeEach
    void format() throws IOException
    {
        image = dir.resolve("cache.img");
        Mkfs.format(image, MkfsOptions.defaults().withSize(8L << 20), null);
    }

    private static ByteBuffer pageOf(final long seed)
    {
        final ByteBuffer page = AlignedBuffers.allocate(PAGE);
        for (int i = 0; i < PAGE; i += 8)
        {
            page.putLong(i, seed * 31 + i);
        }
        return page;
    }

    private static void assertOrdered(final LatencySummary summary)
    {
        assertThat(summary.p50Nanos()).as("%s", summary).isPositive();
        assertThat(summary.p50Nanos()).as("%s", summary).isLessThanOrEqualTo(summary.p99Nanos());
        assertThat(summary.p99Nanos()).as("%s", summary).isLessThanOrEqualTo(summary.p999Nanos());
        assertThat(summary.p999Nanos()).as("%s", summary).isLessThanOrEqualTo(summary.maxNanos());
    }

    @Test
    void everyOperationIsCountedOnceAndTheUsageShowsTheSameFigures() throws IOException
    {
        try (CacheFsBackend backend = CacheFs.mount(image, OPTIONS))
        {
            final CacheStore store = backend.store();
            // The mount's own commit.
            assertThat(backend.latencies().commits().count()).isEqualTo(1);
            assertThat(backend.latencies().hits()).isEqualTo(new LatencySummary(0, 0, 0, 0, 0));

            final ObjectRecord record = store.create(0, "timed".getBytes(), 1, new byte[0], CacheStore.UNLIMITED);
            for (int p = 0; p < 20; p++)
            {
                assertThat(store.write(record, p, pageOf(p))).isTrue();
            }
            final ByteBuffer[] pages = {pageOf(20), pageOf(21), pageOf(22), pageOf(23)};
            store.writePages(record, new long[]{20, 21, 22, 23}, pages, 4, 0);
            final ByteBuffer dst = AlignedBuffers.allocate(PAGE);
            for (int p = 0; p < 24; p++)
            {
                assertThat(store.read(record, p, dst.clear())).isEqualTo(CacheStore.READ_HIT);
                assertThat(dst).isEqualTo(pageOf(p));
            }
            for (int p = 100; p < 107; p++)
            {
                assertThat(store.read(record, p, dst.clear())).isEqualTo(CacheStore.READ_MISS);
            }
            for (int c = 0; c < 3; c++)
            {
                backend.commit();
            }
            store.release(record);

            final CacheFsLatencies latencies = backend.latencies();
            assertThat(latencies.hits().count()).isEqualTo(24);
            assertThat(latencies.misses().count()).isEqualTo(7);
            assertThat(latencies.stores().count()).isEqualTo(24);
            assertThat(latencies.commits().count()).isEqualTo(4);
            assertThat(latencies.culls()).isEqualTo(new LatencySummary(0, 0, 0, 0, 0));
            assertOrdered(latencies.hits());
            assertOrdered(latencies.misses());
            assertOrdered(latencies.stores());
            assertOrdered(latencies.commits());

            final Map<String, Long> usage = backend.usage();
            assertThat(usage.get("readHits")).isEqualTo(24);
            assertThat(usage.get("readMisses")).isEqualTo(7);
            assertThat(usage.get("pageWrites")).isEqualTo(24);
            assertThat(usage.get("commits")).isEqualTo(4);
            assertThat(latencyKeys(usage).keySet()).containsExactly(
                "hitLatencyCount", "hitLatencyP50Nanos", "hitLatencyP99Nanos", "hitLatencyP999Nanos",
                "hitLatencyMaxNanos",
                "missLatencyCount", "missLatencyP50Nanos", "missLatencyP99Nanos", "missLatencyP999Nanos",
                "missLatencyMaxNanos",
                "storeLatencyCount", "storeLatencyP50Nanos", "storeLatencyP99Nanos", "storeLatencyP999Nanos",
                "storeLatencyMaxNanos",
                "commitLatencyCount", "commitLatencyP50Nanos", "commitLatencyP99Nanos", "commitLatencyP999Nanos",
                "commitLatencyMaxNanos",
                "cullLatencyCount", "cullLatencyP50Nanos", "cullLatencyP99Nanos", "cullLatencyP999Nanos",
                "cullLatencyMaxNanos");
            assertThat(latencyKeys(usage)).isEqualTo(latencyKeys(latencies));
            assertThat(usage.get("hitLatencyP99Nanos")).isEqualTo(latencies.hits().p99Nanos());
            assertThat(usage.get("missLatencyCount")).isEqualTo(7);
            assertThat(usage.get("cullLatencyMaxNanos")).isZero();
        }
    }

    @Test
    void aCullingPassIsTimedWithTheCommitsItMakes() throws IOException
    {
        try (CacheFsBackend backend = CacheFs.mount(image, OPTIONS))
        {
            final CacheStore store = backend.store();
            assertThat(backend.cull()).isZero();
            int n = 0;
            while (store.freePercentNow() >= store.thresholds().bcull())
            {
                final ObjectRecord record = store.create(0, ("object-" + n).getBytes(), 1, new byte[0],
                    CacheStore.UNLIMITED);
                for (int p = 0; p < 8; p++)
                {
                    assertThat(store.write(record, p, pageOf(n * 1000L + p))).isTrue();
                }
                store.release(record);
                n++;
            }
            final long commitsBefore = backend.latencies().commits().count();
            assertThat(backend.cull()).isPositive();
            assertThat(backend.cull()).isZero();

            final CacheFsLatencies latencies = backend.latencies();
            assertThat(latencies.culls().count()).isEqualTo(1);
            assertThat(backend.cullingStats().runs()).isEqualTo(1);
            assertOrdered(latencies.culls());
            assertThat(latencies.commits().count()).isGreaterThan(commitsBefore)
                .isEqualTo(backend.usage().get("commits"));
            assertThat(latencies.stores().count()).isEqualTo(8L * n);
            assertThat(latencyKeys(backend.usage())).isEqualTo(latencyKeys(backend.latencies()));
        }
    }

    @Test
    void ramTierHitsAreSampledOneInEightEachCountingEight() throws IOException
    {
        try (CacheFsBackend backend = CacheFs.mount(image, OPTIONS.withRamTierBytes(256L * PAGE)))
        {
            final CacheStore store = backend.store();
            final ObjectRecord record = store.create(0, "hot".getBytes(), 1, new byte[0], CacheStore.UNLIMITED);
            for (int p = 0; p < 4; p++)
            {
                assertThat(store.write(record, p, pageOf(p))).isTrue();
            }
            final ByteBuffer dst = AlignedBuffers.allocate(PAGE);
            // The first read of each page comes from the device and puts it in the RAM tier.
            for (int p = 0; p < 4; p++)
            {
                assertThat(store.read(record, p, dst.clear())).isEqualTo(CacheStore.READ_HIT);
            }
            for (int i = 0; i < 2000; i++)
            {
                assertThat(store.read(record, i % 4, dst.clear())).isEqualTo(CacheStore.READ_HIT);
                assertThat(store.readFromRam(record, i % 4, dst.clear())).isTrue();
            }
            store.release(record);
            assertThat(store.ram().hits.sum()).isEqualTo(4000);
            final LatencySummary hits = backend.latencies().hits();
            // Four device hits and 4,000 RAM-tier hits, about 500 of them timed (standard deviation 21, 167 once
            // weighted): ThreadLocalRandom cannot be seeded, the bound is 10 standard deviations either side.
            assertThat((hits.count() - 4) % StoreLatencies.RAM_HIT_SAMPLING).isZero();
            assertThat(hits.count() - 4).isBetween(4000L - 1680, 4000L + 1680);
            assertOrdered(hits);
        }
    }

    @Test
    void pagesOfMultiPageReadsAreTimedEachAsAHitOrAMiss() throws Exception
    {
        final ReadThroughOptions options = ReadThroughOptions.builder().image(image, 0).chunkSize(8 * PAGE)
            .mountOptions(OPTIONS).jmx(false).build();
        try (ReadThroughCache cache = ReadThroughCache.open(new GeneratedOrigin(16 * PAGE), options))
        {
            final CacheFsBackend backend = cache.mountedImages().get(0).backend();
            try (CachedFile file = cache.open("/sixteen-pages"))
            {
                // The first chunk of 8 pages, stored; then both chunks: 8 pages read from the device, 8 missed.
                file.readFully(0, ByteBuffer.allocate(8 * PAGE));
                assertThat(cache.awaitStored(10, TimeUnit.SECONDS)).isTrue();
                final long missesCold = backend.latencies().misses().count();
                assertThat(backend.latencies().hits().count()).isZero();
                file.readFully(0, ByteBuffer.allocate(16 * PAGE));
                assertThat(cache.awaitStored(10, TimeUnit.SECONDS)).isTrue();
                assertThat(backend.latencies().hits().count()).isEqualTo(8);
                assertThat(backend.latencies().misses().count()).isEqualTo(missesCold + 8);
                file.readFully(0, ByteBuffer.allocate(16 * PAGE));
                assertThat(backend.latencies().hits().count()).isEqualTo(24);
                assertThat(backend.latencies().misses().count()).isEqualTo(missesCold + 8);
                assertOrdered(backend.latencies().hits());
            }
        }
    }

    @Test
    void timedReadsAllocateNothing() throws IOException
    {
        try (CacheFsBackend backend = CacheFs.mount(image, OPTIONS.withRamTierBytes(256L * PAGE)))
        {
            final CacheStore store = backend.store();
            final ObjectRecord record = store.create(0, "hot".getBytes(), 1, new byte[0], CacheStore.UNLIMITED);
            for (int p = 0; p < 4; p++)
            {
                assertThat(store.write(record, p, pageOf(p))).isTrue();
            }
            backend.commit();
            final com.sun.management.ThreadMXBean bean =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final ByteBuffer dst = AlignedBuffers.allocate(PAGE);
            long allocated = 0;
            for (int round = 0; round < 6; round++)
            {
                final long before = bean.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 5000; i++)
                {
                    // A RAM-tier hit through each path, and a miss.
                    store.read(record, i % 4, dst.clear());
                    store.readFromRam(record, i % 4, dst.clear());
                    store.read(record, 1000 + i % 4, dst.clear());
                }
                // The first rounds warm up (classes, compiled code, the RAM tier's slots); the last two are measured.
                if (round >= 4)
                {
                    allocated += bean.getCurrentThreadAllocatedBytes() - before;
                }
            }
            store.release(record);
            // 30,000 reads: a single object allocated per read would be 16 bytes or more, 480,000 bytes in all.
            assertThat(allocated).isLessThan(3_000);
            assertThat(backend.latencies().misses().count()).isEqualTo(30_000);
        }
    }

    private static Map<String, Long> latencyKeys(final Map<String, Long> usage)
    {
        final Map<String, Long> keys = new LinkedHashMap<>();
        usage.forEach((key, value) ->
        {
            if (key.contains("Latency"))
            {
                keys.put(key, value);
            }
        });
        return keys;
    }

    private static Map<String, Long> latencyKeys(final CacheFsLatencies latencies)
    {
        final Map<String, Long> keys = new LinkedHashMap<>();
        put(keys, "hit", latencies.hits());
        put(keys, "miss", latencies.misses());
        put(keys, "store", latencies.stores());
        put(keys, "commit", latencies.commits());
        put(keys, "cull", latencies.culls());
        return keys;
    }

    private static void put(final Map<String, Long> keys, final String kind, final LatencySummary summary)
    {
        keys.put(kind + "LatencyCount", summary.count());
        keys.put(kind + "LatencyP50Nanos", summary.p50Nanos());
        keys.put(kind + "LatencyP99Nanos", summary.p99Nanos());
        keys.put(kind + "LatencyP999Nanos", summary.p999Nanos());
        keys.put(kind + "LatencyMaxNanos", summary.maxNanos());
    }
}
