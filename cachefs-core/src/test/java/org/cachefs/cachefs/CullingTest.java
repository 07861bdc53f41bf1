package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.device.AlignedBuffers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CullingTest
{
    private static final MountOptions OPTIONS = MountOptions.defaults().withCommitIntervalSeconds(0)
        .withBackgroundCulling(false);
    private static final int DATA_TYPE = 1;

    @TempDir
    Path dir;
    Path image;
    final ByteBuffer page = AlignedBuffers.allocate(4096);

    @BeforeEach
    void format() throws IOException
    {
        image = dir.resolve("cache.img");
        Mkfs.format(image, MkfsOptions.defaults().withSize(8L << 20), null);
    }

    private ByteBuffer pageOf(final long seed)
    {
        page.clear();
        for (int i = 0; i < 4096; i += 8)
        {
            page.putLong(i, seed * 31 + i);
        }
        return page;
    }

    private static byte[] key(final int n)
    {
        return ("object-" + n).getBytes();
    }

    /**
     * Creates objects of {@code pages} pages each, released, until the store refuses a page.
     *
     * @return how many objects were stored whole.
     */
    private int fill(final CacheStore store, final int pages) throws IOException
    {
        int n = 0;
        while (true)
        {
            final ObjectRecord record = store.create(0, key(n), DATA_TYPE, new byte[0], CacheStore.UNLIMITED);
            for (int p = 0; p < pages; p++)
            {
                if (!store.write(record, p, pageOf(n * 1000L + p)))
                {
                    store.release(record);
                    return n;
                }
            }
            store.release(record);
            n++;
        }
    }

    @Test
    void thresholdsAreValidatedNamingTheOption()
    {
        assertThatThrownBy(() -> new CullingThresholds(10, 7, 7)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("invalid culling threshold bstop=7: must be below bcull=7 (0 <= bstop < bcull < brun < 100)");
        assertThatThrownBy(() -> new CullingThresholds(7, 8, 3)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("invalid culling threshold bcull=8: must be below brun=7 (0 <= bstop < bcull < brun < 100)");
        assertThatThrownBy(() -> new CullingThresholds(100, 7, 3)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("invalid culling threshold brun=100: must be in [0, 99]");
        assertThatThrownBy(() -> new CullingThresholds(10, 7, -1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("invalid culling threshold bstop=-1: must be in [0, 99]");
        assertThatThrownBy(() -> MountOptions.defaults().withLargeObjectPercent(0))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("invalid mount option largeObjectPercent=0: must be in [1, 100]");
        assertThatThrownBy(() -> MountOptions.defaults().withWriteThreads(0))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("invalid mount option writeThreads=0: must be in [1, 64]");
        assertThatThrownBy(() -> MountOptions.defaults().withWriteThreads(65))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("invalid mount option writeThreads=65: must be in [1, 64]");
        assertThat(MountOptions.defaults().writeThreads()).isEqualTo(MountOptions.DEFAULT_WRITE_THREADS);
        assertThat(CullingThresholds.defaults()).isEqualTo(new CullingThresholds(10, 7, 3));
        assertThat(new CullingThresholds(2, 1, 0)).isEqualTo(new CullingThresholds(2, 1, 0));
    }

    @Test
    void belowStopNewPagesAreRefusedUntilCullingRecovers() throws IOException
    {
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final int stored = fill(store, 8);
            assertThat(store.freePercentNow()).isLessThan(3.0);
            assertThat(store.stats().refusedBelowStop.sum()).isEqualTo(1);
            final ObjectRecord late = store.create(0, key(10_000), DATA_TYPE, new byte[0], CacheStore.UNLIMITED);
            assertThat(store.canStore(late, 0)).isFalse();
            assertThat(store.write(late, 0, pageOf(1))).isFalse();

            final int culled = store.cull();
            assertThat(culled).isGreaterThan(0);
            assertThat(store.freePercentNow()).isGreaterThanOrEqualTo(10.0);
            assertThat(store.write(late, 0, pageOf(1))).isTrue();
            store.release(late);
            // The least recently used objects went first: the first ones written are gone, the last ones remain.
            assertThat(store.lookup(0, key(0))).isNull();
            final ObjectRecord newest = store.lookup(0, key(stored - 1));
            assertThat(newest).isNotNull();
            assertThat(newest.pageCount).isEqualTo(8);
            store.release(newest);
            assertThat(store.stats().objectsCulled.sum()).isEqualTo(culled);
            assertThat(store.stats().pagesCulled.sum()).isEqualTo(8L * culled);
            assertThat(store.nanosBelowStop()).isGreaterThan(0);
        }
    }

    @Test
    void recentlyReadObjectsSurviveAndPinnedOrInUseObjectsAreNeverCulled() throws IOException
    {
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final int stored = fill(store, 8);
            final ObjectRecord pinned = store.lookup(0, key(0));
            store.setPinned(pinned, true);
            store.release(pinned);
            final ObjectRecord inUse = store.lookup(0, key(1));
            final ObjectRecord read = store.lookup(0, key(2));
            assertThat(store.read(read, 0, page.clear())).isEqualTo(CacheStore.READ_HIT);
            store.release(read);

            assertThat(store.cull()).isGreaterThan(0);
            assertThat(store.lookup(0, key(3))).as("oldest unprotected object").isNull();
            for (final int survivor : new int[]{ 0, 1, 2, stored - 1 })
            {
                final ObjectRecord record = store.lookup(0, key(survivor));
                assertThat(record).as("object %d", survivor).isNotNull();
                assertThat(record.pageCount).isEqualTo(8);
                store.release(record);
            }
            store.release(inUse);
        }
    }

    @Test
    void cullingASubtreeKeepsTheIndexConsistentAcrossRemount() throws IOException
    {
        final List<Integer> survivors = new ArrayList<>();
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord index = store.create(0, "volume".getBytes(), 0, new byte[0], CacheStore.UNLIMITED);
            int n = 0;
            boolean full = false;
            while (!full)
            {
                final ObjectRecord record = store.create(index.objectId, key(n), DATA_TYPE, new byte[0],
                    CacheStore.UNLIMITED);
                for (int p = 0; p < 4 && !full; p++)
                {
                    full = !store.write(record, p, pageOf(n * 1000L + p));
                }
                store.release(record);
                n++;
            }
            store.cull();
            store.checkIndex();
            for (int i = 0; i < n; i++)
            {
                final ObjectRecord record = store.lookup(index.objectId, key(i));
                if (record != null)
                {
                    survivors.add(i);
                    store.release(record);
                }
            }
            assertThat(survivors).isNotEmpty().hasSizeLessThan(n);
            store.release(index);
        }
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            store.checkIndex();
            final ObjectRecord index = store.lookup(0, "volume".getBytes());
            assertThat(index).as("index objects are not culled").isNotNull();
            assertThat(store.children(index.objectId)).hasSize(survivors.size());
            for (final int i : survivors)
            {
                final ObjectRecord record = store.lookup(index.objectId, key(i));
                final ByteBuffer dst = AlignedBuffers.allocate(4096);
                if (record.pageCount > 0)
                {
                    assertThat(store.read(record, 0, dst)).isEqualTo(CacheStore.READ_HIT);
                    assertThat(dst).isEqualTo(pageOf(i * 1000L));
                }
                store.release(record);
            }
            store.release(index);
        }
    }

    @Test
    void aLargeObjectLosesItsLeastRecentlyUsedRangesNotEverything() throws IOException
    {
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord large = store.create(0, "large".getBytes(), DATA_TYPE, new byte[0],
                CacheStore.UNLIMITED);
            long p = 0;
            while (store.write(large, p, pageOf(p)))
            {
                p++;
            }
            final long written = p;
            // Read the last range again: it becomes the most recently used.
            final long range = store.rangePages();
            final long hot = (written - 1) / range * range;
            assertThat(store.read(large, hot, page.clear())).isEqualTo(CacheStore.READ_HIT);
            store.release(large);

            assertThat(store.cull()).as("no object dropped whole").isZero();
            final ObjectRecord again = store.lookup(0, "large".getBytes());
            assertThat(again.pageCount).isLessThan(written).isGreaterThan(0);
            assertThat(store.read(again, 0, page.clear())).as("oldest range dropped").isEqualTo(CacheStore.READ_MISS);
            final ByteBuffer dst = AlignedBuffers.allocate(4096);
            assertThat(store.read(again, hot, dst)).as("hot range kept").isEqualTo(CacheStore.READ_HIT);
            assertThat(dst).isEqualTo(pageOf(hot));
            assertThat(store.stats().pagesCulled.sum()).isEqualTo(written - again.pageCount);
            store.release(again);
        }
    }

    @Test
    void theBackgroundCullerRecoversWithoutBeingAsked() throws Exception
    {
        try (CacheStore store = CacheStore.mount(image, OPTIONS.withBackgroundCulling(true)))
        {
            fill(store, 8);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (store.freePercentNow() < 10.0 && System.nanoTime() < deadline)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            assertThat(store.freePercentNow()).isGreaterThanOrEqualTo(10.0);
            assertThat(store.stats().cullRuns.sum()).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void thresholdsChangeOnAMountedCache() throws IOException
    {
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            fill(store, 8);
            store.thresholds(new CullingThresholds(50, 40, 30));
            store.cull();
            assertThat(store.freePercentNow()).isGreaterThanOrEqualTo(50.0);
            assertThat(store.thresholds()).isEqualTo(new CullingThresholds(50, 40, 30));
        }
    }
}
