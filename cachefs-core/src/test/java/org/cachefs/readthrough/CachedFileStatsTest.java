package org.cachefs.readthrough;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.cachefs.cachefs.CacheFs;
import org.cachefs.cachefs.CacheFsBackend;
import org.cachefs.cachefs.MountOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each handle counts its own share of the cache's statistics: the bytes its reads returned from cached pages, from
 * chunks fetched for them, and from fallbacks to the origin; other handles of the same file count theirs.
 */
@Timeout(60)
class CachedFileStatsTest
{
    static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    final TestOrigin origin = new TestOrigin();
    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception
    {
        for (int i = open.size() - 1; i >= 0; i--)
        {
            open.get(i).close();
        }
    }

    ReadThroughCache cache()
    {
        final ReadThroughCache cache = ReadThroughCache.open(origin, ReadThroughOptions.builder()
            .image(dir.resolve("cache.img"), 64L * MIB).jmx(false).build());
        open.add(cache);
        return cache;
    }

    @Test
    void aHandleCountsItsMissesAndHitsAndNotThoseOfOtherHandles() throws Exception
    {
        origin.put("/f", 2 * MIB + 100, "v1");
        final ReadThroughCache cache = cache();
        try (CachedFile first = cache.open("/f"); CachedFile second = cache.open("/f"))
        {
            first.readFully(0, ByteBuffer.allocate(2 * MIB + 100));
            assertThat(cache.awaitStored(20, TimeUnit.SECONDS)).isTrue();
            // A read is served in batches of 64 pages: those after the first of a chunk are hits if the chunk's
            // store got to them first, misses otherwise (copied from the fetched chunk).
            final CachedFileStats cold = first.stats();
            assertThat(cold.reads()).isEqualTo(1);
            assertThat(cold.bytesRead()).isEqualTo(2L * MIB + 100);
            assertThat(cold.cacheHitBytes() + cold.cacheMissBytes()).isEqualTo(2L * MIB + 100);
            assertThat(cold.cacheMissBytes()).isGreaterThanOrEqualTo(2L * ReadPath.BATCH_PAGES * 4096 + 100);
            assertThat(cold.fallbacks()).isZero();
            assertThat(second.stats()).isEqualTo(new CachedFileStats(0, 0, 0, 0, 0, 0));

            second.readFully(MIB, ByteBuffer.allocate(4096));
            assertThat(second.read(2 * MIB, ByteBuffer.allocate(4096))).isEqualTo(100);
            assertThat(second.read(2 * MIB + 100, ByteBuffer.allocate(10))).isEqualTo(-1);
            assertThat(second.stats()).isEqualTo(new CachedFileStats(2, 4196, 4196, 0, 0, 0));
            assertThat(first.stats()).isEqualTo(cold);
            final ReadThroughStats total = cache.stats();
            assertThat(total.cacheHitBytes()).isEqualTo(cold.cacheHitBytes() + 4196);
            assertThat(total.cacheMissBytes()).isEqualTo(cold.cacheMissBytes());
        }
    }

    @Test
    void aVectoredReadCountsOneReadPerMergedRange() throws Exception
    {
        origin.put("/vec", 4 * MIB, "v1");
        final ReadThroughCache cache = cache();
        try (CachedFile file = cache.open("/vec"))
        {
            final List<CompletableFuture<ByteBuffer>> results = file.readVectored(List.of(
                new ReadRange(10, 1000), new ReadRange(2000, 50), new ReadRange(3 * MIB, 100)), ByteBuffer::allocate);
            for (final CompletableFuture<ByteBuffer> result : results)
            {
                result.get(20, TimeUnit.SECONDS);
            }
            // [10, 2050) is one read, the far range another.
            assertThat(file.stats()).isEqualTo(new CachedFileStats(2, 2040 + 100, 0, 2040 + 100, 0, 0));
        }
    }

    @Test
    void readsOfAnImageInUseElsewhereAreCountedAsFallbacks() throws Exception
    {
        origin.put("/locked", MIB, "v1");
        cache().close();
        open.clear();
        try (CacheFsBackend other = CacheFs.mount(dir.resolve("cache.img"), MountOptions.defaults()))
        {
            final ReadThroughCache cache = cache();
            try (CachedFile file = cache.open("/locked"))
            {
                file.readFully(0, ByteBuffer.allocate(MIB));
                file.readFully(100, ByteBuffer.allocate(10));
                assertThat(file.stats()).isEqualTo(new CachedFileStats(2, MIB + 10, 0, 0, 2, MIB + 10));
            }
        }
    }
}
