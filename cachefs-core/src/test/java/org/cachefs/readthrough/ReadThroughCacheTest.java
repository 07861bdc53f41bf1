package org.cachefs.readthrough;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.management.ObjectName;

import org.cachefs.fscache.StatCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The read-through API on a real image: hits never touch the origin, misses fetch aligned chunks once however many
 * threads ask, versions never mix, staleness modes, shared handles, vectored and async reads, several images, restarts
 * and statistics.
 */
@org.junit.jupiter.api.Timeout(60)
class ReadThroughCacheTest
{
    static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    final TestOrigin origin = new TestOrigin();
    final List<ReadThroughCache> caches = new ArrayList<>();

    @AfterEach
    void closeCaches()
    {
        for (final ReadThroughCache cache : caches)
        {
            cache.close();
        }
    }

    ReadThroughCache cache(final ReadThroughOptions.Builder builder)
    {
        final ReadThroughCache cache = ReadThroughCache.open(origin, builder.jmx(false).build());
        caches.add(cache);
        return cache;
    }

    ReadThroughOptions.Builder options()
    {
        return ReadThroughOptions.builder().image(dir.resolve("cache.img"), 64L * MIB);
    }

    static byte[] readAll(final CachedFile file) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate((int)file.length());
        file.readFully(0, buffer);
        return buffer.array();
    }

    static void awaitStored(final ReadThroughCache cache) throws InterruptedException
    {
        assertThat(cache.awaitStored(20, TimeUnit.SECONDS)).as("stores ended").isTrue();
    }

    @Test
    void aSecondReadIsServedFromTheCacheWithoutTheOrigin() throws Exception
    {
        origin.put("/data/a.bin", 3 * MIB + 123, "v1");
        final ReadThroughCache cache = cache(options());
        try (CachedFile file = cache.open("/data/a.bin"))
        {
            assertThat(file.length()).isEqualTo(3 * MIB + 123);
            assertThat(readAll(file)).isEqualTo(origin.bytes("/data/a.bin", "v1"));
        }
        awaitStored(cache);
        assertThat(origin.reads()).isEqualTo(4);
        origin.clearLog();
        // The cold read may already find pages a store wrote meanwhile: it counts them as hits.
        final ReadThroughStats cold = cache.stats();
        assertThat(cold.cacheHitBytes() + cold.cacheMissBytes()).isEqualTo(3L * MIB + 123);

        try (CachedFile file = cache.open("/data/a.bin"))
        {
            assertThat(readAll(file)).isEqualTo(origin.bytes("/data/a.bin", "v1"));
            final ByteBuffer tail = ByteBuffer.allocate(100);
            assertThat(file.read(3 * MIB + 100, tail)).isEqualTo(23);
            assertThat(tail.position()).isEqualTo(23);
            assertThat(file.read(3 * MIB + 123, ByteBuffer.allocate(1))).isEqualTo(-1);
        }
        assertThat(origin.reads()).isZero();
        final ReadThroughStats stats = cache.stats();
        assertThat(stats.cacheHitBytes() - cold.cacheHitBytes()).isEqualTo(3L * MIB + 123 + 23);
        assertThat(stats.cacheMissBytes()).isEqualTo(cold.cacheMissBytes());
        assertThat(stats.storedPages()).isEqualTo(769);
        assertThat(stats.fallbacks()).isZero();
        assertThat(stats.originStats()).isEqualTo(2);
    }

    @Test
    void pagesInTheRamTierAreCopiedStraightToTheCallerWithNoRetrieval() throws Exception
    {
        origin.put("/r", 2 * MIB + 300, "v1");
        final ReadThroughCache cache = cache(options());
        try (CachedFile file = cache.open("/r"))
        {
            readAll(file);
            awaitStored(cache);
            // Read from the device, which puts the pages in the RAM tier.
            assertThat(readAll(file)).isEqualTo(origin.bytes("/r", "v1"));
            final MountedImage image = cache.mountedImages().get(0);
            final long retrievals = image.fsCache().stats().get(StatCounter.RETRIEVALS);
            final long ramHits = image.backend().usage().get("ramHits");
            final ReadThroughStats before = cache.stats();
            origin.clearLog();

            final ByteBuffer range = ByteBuffer.allocate(MIB + 77);
            file.readFully(5000, range);

            assertThat(range.array()).isEqualTo(slice(origin.bytes("/r", "v1"), 5000, MIB + 77));
            assertThat(image.fsCache().stats().get(StatCounter.RETRIEVALS)).isEqualTo(retrievals);
            // Pages 1 to 257.
            assertThat(image.backend().usage().get("ramHits")).isEqualTo(ramHits + 257);
            final ReadThroughStats after = cache.stats();
            assertThat(after.cacheHitBytes() - before.cacheHitBytes()).isEqualTo(MIB + 77);
            assertThat(after.hitReads() - before.hitReads()).isEqualTo(1);
            assertThat(origin.reads()).isZero();
        }
    }

    @Test
    void withTheRamTierOffEveryHitIsARetrieval() throws Exception
    {
        origin.put("/r", MIB, "v1");
        final ReadThroughCache cache = cache(options().ramTierBytes(0));
        try (CachedFile file = cache.open("/r"))
        {
            readAll(file);
            awaitStored(cache);
            readAll(file);
            final MountedImage image = cache.mountedImages().get(0);
            final long retrievals = image.fsCache().stats().get(StatCounter.RETRIEVALS);
            assertThat(readAll(file)).isEqualTo(origin.bytes("/r", "v1"));
            // One read_or_alloc_pages call for the 256 pages.
            assertThat(image.fsCache().stats().get(StatCounter.RETRIEVALS))
                .isEqualTo(retrievals + 1);
            assertThat(image.backend().usage().get("ramHits")).isZero();
        }
    }

    @Test
    void aMissFetchesWholeAlignedChunksAndNeverPastTheEnd() throws Exception
    {
        origin.put("/f", 2 * MIB + MIB / 2 + 7, "v1");
        final ReadThroughCache cache = cache(options());
        try (CachedFile file = cache.open("/f"))
        {
            final ByteBuffer small = ByteBuffer.allocate(10);
            file.readFully(MIB + 5000, small);
            assertThat(small.array()).isEqualTo(slice(origin.bytes("/f", "v1"), MIB + 5000, 10));
            file.readFully(2 * MIB + MIB / 2, ByteBuffer.allocate(7));
            assertThat(origin.requests()).containsExactly(
                new TestOrigin.Request("/f", "v1", MIB, MIB),
                new TestOrigin.Request("/f", "v1", 2 * MIB, MIB / 2 + 7));

            // A read spanning a cached chunk and a missing one asks only for the missing chunk.
            awaitStored(cache);
            final ByteBuffer span = ByteBuffer.allocate(MIB);
            file.readFully(MIB / 2, span);
            assertThat(span.array()).isEqualTo(slice(origin.bytes("/f", "v1"), MIB / 2, MIB));
            assertThat(origin.requests()).hasSize(3).last().isEqualTo(new TestOrigin.Request("/f", "v1", 0, MIB));
        }
    }

    @Test
    void theChunkSizeIsConfigurable() throws Exception
    {
        origin.put("/f", 300_000, "v1");
        final ReadThroughCache cache = cache(options().chunkSize(64 << 10));
        try (CachedFile file = cache.open("/f"))
        {
            file.readFully(100_000, ByteBuffer.allocate(40_000));
        }
        assertThat(origin.requests()).containsExactly(
            new TestOrigin.Request("/f", "v1", 65536, 65536),
            new TestOrigin.Request("/f", "v1", 131072, 65536));
    }

    @Test
    void threadsMissingTheSamePageCauseOneOriginFetch() throws Exception
    {
        origin.put("/hot", 200_000, "v1");
        final ReadThroughCache cache = cache(options());
        origin.holdReads();
        final int threads = 8;
        final List<CompletableFuture<byte[]>> results = new ArrayList<>();
        final CountDownLatch started = new CountDownLatch(threads);
        try (CachedFile file = cache.open("/hot"))
        {
            for (int t = 0; t < threads; t++)
            {
                final CompletableFuture<byte[]> result = new CompletableFuture<>();
                results.add(result);
                new Thread(() ->
                {
                    try
                    {
                        started.countDown();
                        final ByteBuffer buffer = ByteBuffer.allocate(4096);
                        file.readFully(8192, buffer);
                        result.complete(buffer.array());
                    }
                    catch (final Throwable ex)
                    {
                        result.completeExceptionally(ex);
                    }
                }).start();
            }
            started.await();
            try
            {
                origin.awaitHeld(1);
                // The other readers wait for that fetch; none reaches the origin however long it takes.
                assertThat(origin.reads()).isEqualTo(1);
            }
            finally
            {
                origin.releaseReads();
            }
            for (final CompletableFuture<byte[]> result : results)
            {
                assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo(slice(origin.bytes("/hot", "v1"), 8192, 4096));
            }
        }
        assertThat(origin.requests()).containsExactly(new TestOrigin.Request("/hot", "v1", 0, 200_000));
    }

    @Test
    void handlesAndCachesOverOneImageShareTheFile() throws Exception
    {
        origin.put("/shared", MIB, "v1");
        final ReadThroughCache first = cache(options());
        final ReadThroughCache second = cache(options());
        try (CachedFile a = first.open("/shared"); CachedFile b = first.open("/shared");
             CachedFile c = second.open("/shared"))
        {
            assertThat(readAll(a)).isEqualTo(origin.bytes("/shared", "v1"));
            awaitStored(first);
            assertThat(readAll(b)).isEqualTo(origin.bytes("/shared", "v1"));
            assertThat(readAll(c)).isEqualTo(origin.bytes("/shared", "v1"));
        }
        assertThat(origin.reads()).isEqualTo(1);
        assertThat(first.stats().fallbacks()).isZero();
        assertThat(second.stats().fallbacks()).isZero();
        assertThat(second.stats().cacheHitBytes()).isEqualTo(MIB);
    }

    @Test
    void aNewVersionIsReadAfreshAndTheOldHandleKeepsItsVersion() throws Exception
    {
        origin.put("/v", 2 * MIB, "v1");
        final ReadThroughCache cache = cache(options());
        final CachedFile old = cache.open("/v");
        assertThat(readAll(old)).isEqualTo(origin.bytes("/v", "v1"));
        awaitStored(cache);

        origin.put("/v", 2 * MIB, "v2");
        origin.clearLog();
        try (CachedFile fresh = cache.open("/v"))
        {
            assertThat(fresh.version()).isEqualTo(new FileVersion(2 * MIB, "v2"));
            assertThat(readAll(fresh)).isEqualTo(origin.bytes("/v", "v2"));
            // The old handle still reads its own version: from the origin now, its pages are gone.
            assertThat(readAll(old)).isEqualTo(origin.bytes("/v", "v1"));
        }
        old.close();
        awaitStored(cache);
        assertThat(origin.requests()).containsExactly(new TestOrigin.Request("/v", "v2", 0, MIB),
            new TestOrigin.Request("/v", "v2", MIB, MIB), new TestOrigin.Request("/v", "v1", 0, 2 * MIB));
        assertThat(cache.stats().versionChanges()).isEqualTo(1);

        origin.clearLog();
        try (CachedFile again = cache.open("/v"))
        {
            assertThat(readAll(again)).isEqualTo(origin.bytes("/v", "v2"));
        }
        assertThat(origin.reads()).isZero();
    }

    @Test
    void aVersionChangeAcrossARestartDropsTheOldPages() throws Exception
    {
        origin.put("/r", MIB, "v1");
        try (ReadThroughCache cache = ReadThroughCache.open(origin, options().jmx(false).build());
             CachedFile file = cache.open("/r"))
        {
            readAll(file);
            awaitStored(cache);
        }
        origin.put("/r", MIB, "v2");
        origin.clearLog();
        final ReadThroughCache cache = cache(options());
        try (CachedFile file = cache.open("/r"))
        {
            assertThat(readAll(file)).isEqualTo(origin.bytes("/r", "v2"));
        }
        assertThat(origin.requests()).containsExactly(new TestOrigin.Request("/r", "v2", 0, MIB));
    }

    @Test
    void ttlAndNoValidationTrustTheVersionSeen() throws Exception
    {
        origin.put("/t", 4096, "v1");
        final ReadThroughCache ttl = cache(options().validation(Validation.TTL)
            .statTtl(java.time.Duration.ofHours(1)));
        ttl.open("/t").close();
        ttl.open("/t").close();
        assertThat(origin.stats()).isEqualTo(1);

        final ReadThroughCache expiring = cache(ReadThroughOptions.builder()
            .image(dir.resolve("other.img"), 64L * MIB).validation(Validation.TTL).statTtl(java.time.Duration.ZERO));
        expiring.open("/t").close();
        expiring.open("/t").close();
        assertThat(origin.stats()).isEqualTo(3);

        final ReadThroughCache none = cache(ReadThroughOptions.builder()
            .image(dir.resolve("third.img"), 64L * MIB).validation(Validation.NONE));
        try (CachedFile file = none.open("/t"))
        {
            origin.put("/t", 4096, "v2");
            try (CachedFile again = none.open("/t"))
            {
                assertThat(again.version().tag()).isEqualTo("v1");
                assertThat(readAll(again)).isEqualTo(origin.bytes("/t", "v1"));
            }
            // A version the caller knows still wins.
            try (CachedFile known = none.open("/t", new FileVersion(4096, "v2")))
            {
                assertThat(readAll(known)).isEqualTo(origin.bytes("/t", "v2"));
            }
            assertThat(file.version().tag()).isEqualTo("v1");
        }
        assertThat(origin.stats()).isEqualTo(4);
    }

    @Test
    void aKnownVersionSkipsTheStat() throws Exception
    {
        origin.put("/k", 10_000, "etag");
        final ReadThroughCache cache = cache(options());
        try (CachedFile file = cache.open("/k", new FileVersion(10_000, "etag")))
        {
            assertThat(readAll(file)).isEqualTo(origin.bytes("/k", "etag"));
        }
        assertThat(origin.stats()).isZero();
    }

    @Test
    void aRestartWithAWarmImageServesHitsWithoutTheOrigin() throws Exception
    {
        origin.put("/warm", 3 * MIB, "v1");
        try (ReadThroughCache cache = ReadThroughCache.open(origin, options().jmx(false).build());
             CachedFile file = cache.open("/warm"))
        {
            readAll(file);
        }
        assertThat(SharedMount.isMounted(dir.resolve("cache.img"))).isFalse();
        origin.clearLog();
        final ReadThroughCache cache = cache(options());
        try (CachedFile file = cache.open("/warm", new FileVersion(3 * MIB, "v1")))
        {
            assertThat(readAll(file)).isEqualTo(origin.bytes("/warm", "v1"));
        }
        assertThat(origin.reads()).isZero();
        assertThat(cache.stats().hitReads()).isEqualTo(1);
    }

    @Test
    void longPathsAreCachedUnderADigest() throws Exception
    {
        final String path = "/" + "very-long-directory-name/".repeat(60) + "file.parquet";
        final String tag = "etag-" + "x".repeat(300);
        origin.put(path, 50_000, tag);
        final ReadThroughCache cache = cache(options());
        try (CachedFile file = cache.open(path))
        {
            readAll(file);
        }
        awaitStored(cache);
        origin.clearLog();
        try (CachedFile file = cache.open(path))
        {
            assertThat(readAll(file)).isEqualTo(origin.bytes(path, tag));
        }
        assertThat(origin.reads()).isZero();
        assertThat(cache.stats().fallbacks()).isZero();
    }

    @Test
    void filesSpreadOverSeveralImagesByAStableHash() throws Exception
    {
        final ReadThroughOptions.Builder twoImages = ReadThroughOptions.builder()
            .image(dir.resolve("a.img"), 32L * MIB).image(dir.resolve("b.img"), 32L * MIB);
        for (int i = 0; i < 40; i++)
        {
            origin.put("/spread/" + i, 5000 + i, "v1");
        }
        try (ReadThroughCache cache = ReadThroughCache.open(origin, twoImages.jmx(false).build()))
        {
            for (int i = 0; i < 40; i++)
            {
                try (CachedFile file = cache.open("/spread/" + i))
                {
                    readAll(file);
                }
            }
        }
        // Each image holds some of the files, and a restart finds every file where it was.
        assertThat(objectsIn(dir.resolve("a.img"))).isBetween(5, 35);
        assertThat(objectsIn(dir.resolve("b.img"))).isEqualTo(40 - objectsIn(dir.resolve("a.img")));
        origin.clearLog();
        final ReadThroughCache cache = cache(twoImages);
        for (int i = 0; i < 40; i++)
        {
            try (CachedFile file = cache.open("/spread/" + i))
            {
                assertThat(readAll(file)).isEqualTo(origin.bytes("/spread/" + i, "v1"));
            }
        }
        assertThat(origin.reads()).isZero();
    }

    /** Data files in an unmounted image (its objects less the netfs and the volume index). */
    static int objectsIn(final Path image) throws IOException
    {
        try (org.cachefs.cachefs.CacheFsBackend backend = org.cachefs.cachefs.CacheFs.mount(image,
            org.cachefs.cachefs.MountOptions.defaults()))
        {
            return (int)backend.snapshot().objects() - 2;
        }
    }

    @Test
    void vectoredReadsMergeNearbyRangesAndFailRangesPastTheEnd() throws Exception
    {
        origin.put("/vec", 4 * MIB, "v1");
        final ReadThroughCache cache = cache(options().chunkSize(256 << 10).vectorMergeGap(8192));
        try (CachedFile file = cache.open("/vec"))
        {
            final List<ReadRange> ranges = List.of(
                new ReadRange(3 * MIB, 100), new ReadRange(10, 1000), new ReadRange(1010 + 8000, 50),
                new ReadRange(4 * MIB - 10, 20), new ReadRange(0, 0));
            final List<CompletableFuture<ByteBuffer>> results = file.readVectored(ranges, ByteBuffer::allocate);
            final byte[] bytes = origin.bytes("/vec", "v1");
            assertThat(results.get(0).get(20, TimeUnit.SECONDS).array()).isEqualTo(slice(bytes, 3 * MIB, 100));
            assertThat(results.get(1).get(20, TimeUnit.SECONDS).array()).isEqualTo(slice(bytes, 10, 1000));
            assertThat(results.get(2).get(20, TimeUnit.SECONDS).array()).isEqualTo(slice(bytes, 9010, 50));
            assertThatThrownBy(() -> results.get(3).get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(EOFException.class)
                .hasMessage("range [4194294, 4194314) of /vec goes past its end (4194304 bytes)");
            assertThat(results.get(4).get(20, TimeUnit.SECONDS).remaining()).isZero();
        }
        // The two ranges 8000 bytes apart are one read, in one chunk; the far one another.
        assertThat(origin.requests()).extracting(TestOrigin.Request::offset).containsExactlyInAnyOrder(0L,
            3L * MIB);
    }

    @Test
    void asyncReadsCompleteWithTheBytesOrTheOriginFailure() throws Exception
    {
        origin.put("/async", 100_000, "v1");
        final ReadThroughCache cache = cache(options());
        try (CachedFile file = cache.open("/async"))
        {
            final ByteBuffer buffer = ByteBuffer.allocate(5000);
            assertThat(file.readAsync(99_000, buffer).get(20, TimeUnit.SECONDS)).isEqualTo(1000);
            assertThat(slice(buffer.array(), 0, 1000)).isEqualTo(slice(origin.bytes("/async", "v1"), 99_000, 1000));

            origin.failNext(1, "connection reset");
            cache.invalidate("/async");
            try (CachedFile again = cache.open("/async"))
            {
                assertThatThrownBy(() -> again.readAsync(0, ByteBuffer.allocate(10)).get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IOException.class)
                    .hasMessage("origin read of /async [0, 100000) failed: java.io.IOException: connection reset");
            }
        }
    }

    @Test
    void invalidateDropsThePagesOfAFileOpenOrNot() throws Exception
    {
        origin.put("/inv", MIB, "v1");
        final ReadThroughCache cache = cache(options());
        try (CachedFile file = cache.open("/inv"))
        {
            readAll(file);
        }
        awaitStored(cache);
        cache.invalidate("/inv");
        origin.clearLog();
        try (CachedFile file = cache.open("/inv"))
        {
            assertThat(readAll(file)).isEqualTo(origin.bytes("/inv", "v1"));
        }
        assertThat(origin.reads()).isEqualTo(1);
        awaitStored(cache);

        // Not open in this cache: another cache over the image invalidates it too.
        cache.close();
        final ReadThroughCache other = cache(options());
        other.invalidate("/inv");
        origin.clearLog();
        try (CachedFile file = other.open("/inv"))
        {
            readAll(file);
        }
        assertThat(origin.reads()).isEqualTo(1);
    }

    @Test
    void readsCheckTheirArguments() throws Exception
    {
        origin.put("/args", 100, "v1");
        final ReadThroughCache cache = cache(options());
        final CachedFile file = cache.open("/args");
        assertThatThrownBy(() -> file.read(-1, ByteBuffer.allocate(1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("position must be >= 0: -1");
        assertThatThrownBy(() -> file.readFully(50, ByteBuffer.allocate(51)))
            .isInstanceOf(EOFException.class).hasMessage("read of /args [50, 101) goes past its end (100 bytes)");
        assertThat(file.read(0, ByteBuffer.allocate(0))).isZero();
        file.close();
        assertThatThrownBy(() -> file.read(0, ByteBuffer.allocate(1)))
            .isInstanceOf(IllegalStateException.class).hasMessage("file /args is closed");
        assertThatThrownBy(() -> cache.open("/missing"))
            .isInstanceOf(java.io.FileNotFoundException.class).hasMessage("/missing");
        cache.close();
        assertThatThrownBy(() -> cache.open("/args"))
            .isInstanceOf(IllegalStateException.class).hasMessage("read-through cache is closed");
    }

    @Test
    void statisticsAreInJmx() throws Exception
    {
        origin.put("/jmx", 8192, "v1");
        final ReadThroughCache cache = ReadThroughCache.open(origin, options().namespace("jmx-test").build());
        caches.add(cache);
        try (CachedFile file = cache.open("/jmx"))
        {
            readAll(file);
            awaitStored(cache);
            readAll(file);
        }
        final ObjectName name = cache.jmxName();
        assertThat(name.toString()).startsWith("org.cachefs:type=ReadThrough,name=\"jmx-test\"");
        final javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        assertThat(server.getAttribute(name, "Reads")).isEqualTo(2L);
        assertThat(server.getAttribute(name, "CacheHitBytes")).isEqualTo(8192L);
        assertThat(server.getAttribute(name, "CacheMissBytes")).isEqualTo(8192L);
        assertThat(server.getAttribute(name, "OriginRequests")).isEqualTo(1L);
        assertThat((Long)server.getAttribute(name, "HitLatencyP50Micros")).isGreaterThanOrEqualTo(0L);
        cache.close();
        assertThat(server.isRegistered(name)).isFalse();
    }

    static byte[] slice(final byte[] bytes, final long offset, final int length)
    {
        return java.util.Arrays.copyOfRange(bytes, (int)offset, (int)offset + length);
    }
}
