package org.cachefs.readthrough;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.cachefs.cachefs.CacheFs;
import org.cachefs.cachefs.CacheFsBackend;
import org.cachefs.cachefs.MountOptions;
import org.cachefs.format.RegionLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cache never fails a read: origin failures reach the caller naming the path and range, and the cache recovers;
 * a slow origin does not hold up hits; a cache withdrawn mid-read, an image filled, an image locked by another
 * owner, or page bytes damaged on the device all cost misses, never bytes other than the origin's.
 */
@Timeout(120)
class ReadThroughFaultTest
{
    static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    final TestOrigin origin = new TestOrigin();
    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception
    {
        origin.releaseReads();
        for (int i = open.size() - 1; i >= 0; i--)
        {
            open.get(i).close();
        }
    }

    ReadThroughCache cache(final long imageSize)
    {
        final ReadThroughCache cache = ReadThroughCache.open(origin, ReadThroughOptions.builder()
            .image(dir.resolve("cache.img"), imageSize).maxIdleFiles(0).jmx(false).build());
        open.add(cache);
        return cache;
    }

    static byte[] readAll(final CachedFile file) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate((int)file.length());
        file.readFully(0, buffer);
        return buffer.array();
    }

    @Test
    void anOriginFailureReachesEveryWaiterNamingThePathAndRangeAndTheNextReadRecovers() throws Exception
    {
        origin.put("/fail", 3 * MIB, "v1");
        final ReadThroughCache cache = cache(64L * MIB);
        try (CachedFile file = cache.open("/fail"))
        {
            // Two failures: the second reader either waits for the first one's fetch or, if that already failed,
            // fetches again; either way both reads fail.
            origin.failNext(2, "503 Slow Down");
            origin.holdReads();
            final CompletableFuture<Integer> first = file.readAsync(MIB + 10, ByteBuffer.allocate(100));
            origin.awaitHeld(1);
            final CompletableFuture<Integer> second = file.readAsync(MIB + 20, ByteBuffer.allocate(100));
            origin.releaseReads();
            for (final CompletableFuture<Integer> read : List.of(first, second))
            {
                assertThatThrownBy(() -> read.get(20, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(IOException.class)
                    .hasMessage("origin read of /fail [1048576, 2097152) failed: java.io.IOException: 503 Slow Down");
            }
            origin.failNext(0, "");
            assertThat(readAll(file)).isEqualTo(origin.bytes("/fail", "v1"));
        }
    }

    @Test
    void aShortOriginReadIsAnErrorNotWrongBytes() throws Exception
    {
        final ReadThroughCache cache = cache(64L * MIB);
        final Origin shortReads = new Origin()
        {
            public FileVersion stat(final String path)
            {
                return new FileVersion(10_000, "v1");
            }

            public void read(final String path, final FileVersion version, final long offset, final ByteBuffer dst)
            {
                dst.put(new byte[dst.remaining() / 2]);
            }
        };
        try (ReadThroughCache broken = ReadThroughCache.open(shortReads, ReadThroughOptions.builder()
                .image(dir.resolve("other.img"), 64L * MIB).jmx(false).build());
             CachedFile file = broken.open("/short"))
        {
            assertThatThrownBy(() -> file.readFully(0, ByteBuffer.allocate(100)))
                .isInstanceOf(IOException.class)
                .hasMessage("origin read of /short [0, 10000) returned 5000 bytes");
        }
        assertThat(cache.stats().reads()).isZero();
    }

    @Test
    void aSlowOriginDoesNotHoldUpReadsOfCachedFiles() throws Exception
    {
        origin.put("/cached", 2 * MIB, "v1").put("/slow", 2 * MIB, "v1");
        final ReadThroughCache cache = cache(64L * MIB);
        try (CachedFile cached = cache.open("/cached"); CachedFile slow = cache.open("/slow"))
        {
            readAll(cached);
            assertThat(cache.awaitStored(20, TimeUnit.SECONDS)).isTrue();
            origin.holdReads();
            final CompletableFuture<Integer> pending = slow.readAsync(0, ByteBuffer.allocate(4096));
            origin.awaitHeld(1);
            assertThat(readAll(cached)).isEqualTo(origin.bytes("/cached", "v1"));
            assertThat(pending.isDone()).isFalse();
            origin.releaseReads();
            assertThat(pending.get(20, TimeUnit.SECONDS)).isEqualTo(4096);
        }
    }

    @Test
    void aCacheWithdrawnMidReadFallsBackToTheOrigin() throws Exception
    {
        origin.put("/w", 8 * MIB + 3, "v1");
        final ReadThroughCache cache = cache(64L * MIB);
        try (CachedFile file = cache.open("/w"))
        {
            final ByteBuffer first = ByteBuffer.allocate(4 * MIB);
            file.readFully(0, first);
            origin.holdReads();
            final CompletableFuture<Integer> pending = file.readAsync(4 * MIB, ByteBuffer.allocate(4 * MIB + 3));
            origin.awaitHeld(1);
            SharedMount.mounted(dir.resolve("cache.img")).fsCache.withdrawCache("readthrough");
            origin.releaseReads();
            assertThat(pending.get(20, TimeUnit.SECONDS)).isEqualTo(4 * MIB + 3);
            assertThat(readAll(file)).isEqualTo(origin.bytes("/w", "v1"));
        }
        assertThat(cache.stats().fallbacks()).isPositive();
        assertThat(cache.stats().fallbackBytes()).isGreaterThanOrEqualTo(8L * MIB + 3);
    }

    @Test
    void anImageTooSmallForTheFilesServesEveryByte() throws Exception
    {
        for (int i = 0; i < 12; i++)
        {
            origin.put("/big/" + i, 2 * MIB + i, "v1");
        }
        final ReadThroughCache cache = cache(4L * MIB);
        final SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 12; i++)
            {
                try (CachedFile file = cache.open("/big/" + i))
                {
                    assertThat(readAll(file)).as("file %d round %d", i, round)
                        .isEqualTo(origin.bytes("/big/" + i, "v1"));
                    final long position = random.nextLong(file.length() - 100);
                    final ByteBuffer some = ByteBuffer.allocate(100);
                    file.readFully(position, some);
                    assertThat(some.array()).isEqualTo(java.util.Arrays.copyOfRange(origin.bytes("/big/" + i, "v1"),
                        (int)position, (int)position + 100));
                }
            }
        }
        assertThat(cache.awaitStored(20, TimeUnit.SECONDS)).isTrue();
        final ReadThroughStats stats = cache.stats();
        assertThat(stats.storedPages()).isPositive();
        assertThat(stats.cacheHitBytes()).isPositive();
        assertThat(stats.bytesRead()).isEqualTo(3 * (12 * 2L * MIB + 66) + 3600);
    }

    @Test
    void anImageInUseByAnotherOwnerIsLeftOutAndReadsGoToTheOrigin() throws Exception
    {
        origin.put("/locked", MIB, "v1");
        cache(64L * MIB).close();
        open.clear();
        try (CacheFsBackend other = CacheFs.mount(dir.resolve("cache.img"), MountOptions.defaults()))
        {
            final ReadThroughCache cache = cache(64L * MIB);
            assertThat(cache.stats().unavailableImages()).isEqualTo(1);
            assertThat(cache.images()).singleElement().asString()
                .startsWith(dir.resolve("cache.img") + " (unavailable: ");
            try (CachedFile file = cache.open("/locked"))
            {
                assertThat(readAll(file)).isEqualTo(origin.bytes("/locked", "v1"));
                assertThat(readAll(file)).isEqualTo(origin.bytes("/locked", "v1"));
            }
            assertThat(cache.stats().fallbacks()).isEqualTo(2);
            assertThat(cache.stats().fallbackBytes()).isEqualTo(2L * MIB);
            assertThat(origin.reads()).isEqualTo(2);
        }
    }

    @Test
    void damagedPageBytesOnTheDeviceAreRefetchedNeverServed() throws Exception
    {
        origin.put("/damaged", 4 * MIB, "v1");
        final Path image = dir.resolve("cache.img");
        ReadThroughCache cache = cache(64L * MIB);
        try (CachedFile file = cache.open("/damaged"))
        {
            readAll(file);
        }
        cache.close();
        open.clear();

        // Overwrite every block of the data region that holds page bytes with noise.
        final long blocks;
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            blocks = channel.size() / 4096;
            final RegionLayout layout = RegionLayout.of(4096, blocks);
            final SplittableRandom random = new SplittableRandom(5);
            final ByteBuffer block = ByteBuffer.allocate(4096);
            int damaged = 0;
            for (long b = layout.dataStart(); b < blocks - 1; b++)
            {
                block.clear();
                channel.read(block, b * 4096);
                final int magic = block.order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0);
                if (magic == org.cachefs.format.BitmapBlock.MAGIC || magic == org.cachefs.format.IndexNode.MAGIC ||
                    magic == org.cachefs.format.PageMapNode.MAGIC || isZero(block))
                {
                    continue;
                }
                block.clear();
                for (int i = 0; i < 4096; i++)
                {
                    block.put(i, (byte)random.nextInt());
                }
                channel.write(block, b * 4096);
                damaged++;
            }
            assertThat(damaged).isEqualTo(1024);
        }
        origin.clearLog();
        cache = cache(64L * MIB);
        try (CachedFile file = cache.open("/damaged"))
        {
            assertThat(readAll(file)).isEqualTo(origin.bytes("/damaged", "v1"));
        }
        assertThat(origin.requests()).containsExactly(new TestOrigin.Request("/damaged", "v1", 0, MIB),
            new TestOrigin.Request("/damaged", "v1", MIB, MIB), new TestOrigin.Request("/damaged", "v1", 2 * MIB, MIB),
            new TestOrigin.Request("/damaged", "v1", 3 * MIB, MIB));
    }

    private static boolean isZero(final ByteBuffer block)
    {
        for (int i = 0; i < block.capacity(); i += 8)
        {
            if (block.getLong(i) != 0)
            {
                return false;
            }
        }
        return true;
    }
}
