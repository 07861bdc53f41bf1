package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.cachefs.format.BlockPointer;
import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.DeviceInUseException;
import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.NotFormattedException;
import org.cachefs.format.device.AlignedBuffers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CacheStoreTest
{
    /** Culling out of the way: these tests fill the cache to its last block. */
    private static final MountOptions OPTIONS = MountOptions.defaults().withCommitIntervalSeconds(0)
        .withThresholds(new CullingThresholds(2, 1, 0)).withBackgroundCulling(false);
    private static final byte[] KEY = "file-1".getBytes();

    @TempDir
    Path dir;
    Path image;
    final ByteBuffer page = AlignedBuffers.allocate(4096);

    @BeforeEach
    void format() throws IOException
    {
        image = dir.resolve("cache.img");
        Mkfs.format(image, MkfsOptions.defaults().withSize(4L << 20), null);
    }

    private ByteBuffer pageOf(final int fill)
    {
        page.clear();
        for (int i = 0; i < 4096; i++)
        {
            page.put(i, (byte)(fill + i));
        }
        return page;
    }

    @Test
    void pagesPersistAcrossRemount() throws IOException
    {
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord record = store.create(0, KEY, 1, new byte[]{ 7 }, 1 << 20);
            for (int p = 0; p < 10; p++)
            {
                assertThat(store.write(record, p, pageOf(p))).isTrue();
            }
            store.release(record);
        }
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            assertThat(store.wasClean()).isTrue();
            final ObjectRecord record = store.lookup(0, KEY);
            assertThat(record.aux).containsExactly(7);
            assertThat(record.pageCount).isEqualTo(10);
            for (int p = 0; p < 10; p++)
            {
                final ByteBuffer dst = AlignedBuffers.allocate(4096);
                assertThat(store.read(record, p, dst)).isEqualTo(CacheStore.READ_HIT);
                assertThat(dst).isEqualTo(pageOf(p));
            }
            assertThat(store.read(record, 10, page.clear())).isEqualTo(CacheStore.READ_MISS);
            store.release(record);
        }
    }

    @Test
    void consecutivePagesGetConsecutiveBlocks() throws IOException
    {
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord record = store.create(0, KEY, 1, new byte[0], 1 << 20);
            final List<Long> blocks = new ArrayList<>();
            for (int p = 0; p < 16; p++)
            {
                store.write(record, p, pageOf(p));
                blocks.add(record.lastBlock);
            }
            for (int i = 1; i < blocks.size(); i++)
            {
                assertThat(blocks.get(i)).isEqualTo(blocks.get(i - 1) + 1);
            }
            store.release(record);
        }
    }

    @Test
    void pagesPastTheSizeAreRefusedAndDroppedWhenTheSizeShrinks() throws IOException
    {
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord record = store.create(0, KEY, 1, new byte[0], 3 * 4096 + 1);
            assertThat(store.canStore(record, 3)).isTrue();
            assertThat(store.canStore(record, 4)).isFalse();
            for (int p = 0; p < 4; p++)
            {
                assertThat(store.write(record, p, pageOf(p))).isTrue();
            }
            assertThat(store.write(record, 4, pageOf(4))).isFalse();
            store.setSize(record, 2 * 4096);
            assertThat(record.pageCount).isEqualTo(2);
            assertThat(store.read(record, 2, page.clear())).isEqualTo(CacheStore.READ_MISS);
            assertThat(store.read(record, 1, page.clear())).isEqualTo(CacheStore.READ_HIT);
            store.release(record);
        }
    }

    @Test
    void fillingTheCacheRefusesWritesKeepsEveryStoredPageAndRetireMakesRoom() throws IOException
    {
        final int stored;
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord first = store.create(0, KEY, 1, new byte[0], 1L << 30);
            int p = 0;
            while (store.write(first, p, pageOf(p)))
            {
                p++;
            }
            stored = p;
            final long dataBlocks = store.layout().dataBlocks();
            assertThat(stored).isGreaterThan((int)(dataBlocks * 9 / 10)).isLessThan((int)dataBlocks);
            assertThat(store.canStore(first, p)).isFalse();
            for (int i = 0; i < stored; i++)
            {
                final ByteBuffer dst = AlignedBuffers.allocate(4096);
                assertThat(store.read(first, i, dst)).isEqualTo(CacheStore.READ_HIT);
                assertThat(dst).isEqualTo(pageOf(i));
            }
            final ObjectRecord second = store.create(0, "file-2".getBytes(), 1, new byte[0], 1L << 30);
            assertThat(store.write(second, 0, pageOf(0))).isFalse();
            store.retire(first);
            store.release(first);
            for (int i = 0; i < stored; i++)
            {
                assertThat(store.write(second, i, pageOf(i))).as("page %d after retire", i).isTrue();
            }
            store.release(second);
        }
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            assertThat(store.lookup(0, KEY)).isNull();
            final ObjectRecord second = store.lookup(0, "file-2".getBytes());
            assertThat(second.pageCount).isEqualTo(stored);
            store.release(second);
        }
    }

    @Test
    void reservationsAreGuaranteedAndRefusedWhenTheyCannotBe() throws IOException
    {
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord reserved = store.create(0, KEY, 1, new byte[0], 1L << 30);
            final ObjectRecord greedy = store.create(0, "greedy".getBytes(), 1, new byte[0], 1L << 30);
            final long dataBlocks = store.layout().dataBlocks();
            assertThat(store.reserve(reserved, dataBlocks * 4096)).isFalse();
            assertThat(store.reserve(reserved, 100 * 4096)).isTrue();
            assertThat(store.snapshot().reservedBlocks()).isEqualTo(105);
            int p = 0;
            while (store.write(greedy, p, pageOf(p)))
            {
                p++;
            }
            for (int i = 0; i < 100; i++)
            {
                assertThat(store.write(reserved, i, pageOf(i))).as("reserved page %d", i).isTrue();
            }
            assertThat(store.snapshot().reservedBlocks()).isZero();
            assertThat(store.reserve(reserved, 0)).isTrue();
            store.release(reserved);
            store.release(greedy);
        }
    }

    @Test
    void aCorruptedPageIsAMissAndIsDropped() throws IOException
    {
        final long block;
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord record = store.create(0, KEY, 1, new byte[0], 1 << 20);
            store.write(record, 0, pageOf(1));
            block = record.lastBlock;
            store.release(record);
        }
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(new byte[]{ 0x55 }), block * 4096 + 100);
        }
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord record = store.lookup(0, KEY);
            assertThat(store.read(record, 0, page.clear())).isEqualTo(CacheStore.READ_CORRUPT);
            assertThat(store.stats().checksumMismatches.sum()).isEqualTo(1);
            assertThat(store.read(record, 0, page.clear())).isEqualTo(CacheStore.READ_MISS);
            assertThat(record.pageCount).isZero();
            store.release(record);
        }
    }

    @Test
    void heapAndUnalignedBuffersAreCopiedThroughAnAlignedOne() throws IOException
    {
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord record = store.create(0, KEY, 1, new byte[0], 1 << 20);
            final ByteBuffer heap = ByteBuffer.allocate(4096);
            heap.put(pageOf(9)).flip();
            assertThat(store.write(record, 0, heap)).isTrue();
            final ByteBuffer out = ByteBuffer.allocate(4096);
            assertThat(store.read(record, 0, out)).isEqualTo(CacheStore.READ_HIT);
            assertThat(out).isEqualTo(pageOf(9));
            store.release(record);
        }
    }

    @Test
    void anUncleanShutdownIsReportedAndTheLastCommitSurvives() throws IOException
    {
        final CacheStore store = CacheStore.mount(image, OPTIONS);
        final ObjectRecord record = store.create(0, KEY, 1, new byte[0], 1 << 20);
        store.write(record, 0, pageOf(0));
        store.commit();
        store.write(record, 1, pageOf(1));
        store.abandon();
        try (CacheStore again = CacheStore.mount(image, OPTIONS))
        {
            assertThat(again.wasClean()).isFalse();
            final ObjectRecord found = again.lookup(0, KEY);
            assertThat(again.read(found, 0, page.clear())).isEqualTo(CacheStore.READ_HIT);
            assertThat(again.read(found, 1, page.clear())).isEqualTo(CacheStore.READ_MISS);
            again.release(found);
        }
    }

    @Test
    void aSecondMountIsRefused() throws IOException
    {
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            assertThatThrownBy(() -> CacheStore.mount(image, OPTIONS)).isInstanceOf(DeviceInUseException.class)
                .hasMessage("cache.img is in use by another cachefs instance");
        }
        CacheStore.mount(image, OPTIONS).close();
    }

    @Test
    void anUnformattedImageIsRefusedAndLeftAlone() throws IOException
    {
        final Path blank = dir.resolve("blank.img");
        try (FileChannel channel = FileChannel.open(blank, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.allocate(1 << 20));
        }
        assertThatThrownBy(() -> CacheStore.mount(blank, OPTIONS)).isInstanceOf(NotFormattedException.class)
            .hasMessage("blank.img is not formatted: block 0 is all zeros");
        CacheStore.mount(image, OPTIONS).close();
    }

    @Test
    void aCorruptIndexNodeIsATypedErrorNamingTheBlock() throws IOException
    {
        final long root;
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            store.release(store.create(0, KEY, 1, new byte[0], 1 << 20));
            store.commit();
            root = BlockPointer.block(store.snapshotRoot());
        }
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(new byte[]{ 0x7f }), root * 4096 + 2000);
        }
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            assertThatThrownBy(() -> store.lookup(0, KEY)).isInstanceOf(CorruptCacheException.class)
                .hasMessageStartingWith("corrupt index node: device=cache.img block=" + root + " crc expected=");
        }
    }
}
