package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.device.AlignedBuffers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The RAM tier inside a mounted store: what it serves after each change of a page or an object is what the device
 * holds, and a scan does not flush its hot pages.
 */
class RamTierStoreTest
{
    private static final int PAGE = 4096;
    private static final MountOptions OPTIONS = MountOptions.defaults().withCommitIntervalSeconds(0)
        .withBackgroundCulling(false).withRamTierBytes(1024L * PAGE);
    private static final byte[] KEY = "file-1".getBytes();

    @TempDir
    Path dir;
    Path image;

    @BeforeEach
    void format() throws IOException
    {
        image = dir.resolve("cache.img");
        Mkfs.format(image, MkfsOptions.defaults().withSize(64L << 20), null);
    }

    private static ByteBuffer pageOf(final int fill)
    {
        final ByteBuffer page = AlignedBuffers.allocate(PAGE);
        for (int i = 0; i < PAGE; i++)
        {
            page.put(i, (byte)(fill * 31 + i));
        }
        return page;
    }

    /**
     * @return the page read, checked to be {@code fill}'s, or null on a miss.
     */
    private static ByteBuffer read(final CacheStore store, final ObjectRecord record, final long page)
        throws IOException
    {
        final ByteBuffer dst = AlignedBuffers.allocate(PAGE);
        return store.read(record, page, dst) == CacheStore.READ_HIT ? dst : null;
    }

    /**
     * @return a new object of 1 MiB whose pages {@code [0, pages)} were written and read twice, the second time from
     * RAM (checked).
     */
    private static ObjectRecord objectInRam(final CacheStore store, final int pages) throws IOException
    {
        final ObjectRecord record = store.create(0, KEY, 1, new byte[0], 1 << 20);
        for (int p = 0; p < pages; p++)
        {
            store.write(record, p, pageOf(p));
            read(store, record, p);
            assertThat(read(store, record, p)).isEqualTo(pageOf(p));
        }
        assertThat(ramHits(store)).isEqualTo(pages);
        return record;
    }

    private static long ramHits(final CacheStore store)
    {
        return store.ram().hits.sum();
    }

    @Test
    void theSecondReadOfAPageIsServedFromRamWithTheSameBytes() throws IOException
    {
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            assertThat(store.ram().capacityPages()).isEqualTo(1024);
            final ObjectRecord record = store.create(0, KEY, 1, new byte[0], 1 << 20);
            assertThat(store.write(record, 0, pageOf(1))).isTrue();
            assertThat(read(store, record, 0)).isEqualTo(pageOf(1));
            assertThat(ramHits(store)).isZero();
            assertThat(store.ram().admissions.sum()).isEqualTo(1);
            assertThat(read(store, record, 0)).isEqualTo(pageOf(1));
            assertThat(ramHits(store)).isEqualTo(1);
            assertThat(store.stats().readHits.sum()).isEqualTo(2);
            store.release(record);
        }
    }

    @Test
    void aRewriteAnUncacheATruncationADiscardAndARetirementAreSeenAtOnce() throws IOException
    {
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord record = objectInRam(store, 8);

            store.write(record, 0, pageOf(100));
            assertThat(read(store, record, 0)).isEqualTo(pageOf(100));
            assertThat(read(store, record, 0)).isEqualTo(pageOf(100));
            assertThat(ramHits(store)).isEqualTo(9);

            store.removePage(record, 1);
            assertThat(read(store, record, 1)).isNull();

            store.setSize(record, 6L * PAGE);
            assertThat(read(store, record, 6)).isNull();
            assertThat(read(store, record, 7)).isNull();
            assertThat(read(store, record, 5)).isEqualTo(pageOf(5));
            assertThat(ramHits(store)).isEqualTo(10);

            store.discard(record);
            for (int p = 0; p < 8; p++)
            {
                assertThat(read(store, record, p)).as("page %d after the discard", p).isNull();
            }

            store.setSize(record, 1 << 20);
            store.write(record, 2, pageOf(2));
            read(store, record, 2);
            assertThat(read(store, record, 2)).isEqualTo(pageOf(2));
            final long hits = ramHits(store);
            store.retire(record);
            assertThat(read(store, record, 2)).isNull();
            assertThat(ramHits(store)).isEqualTo(hits);
            store.release(record);
        }
    }

    @Test
    void aPageWrittenAgainAfterItsMappingWasRemovedIsServedWithTheNewBytes() throws IOException
    {
        // A write of an unmapped page leaves the tier alone: the removal of the mapping already forgot the page.
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord record = objectInRam(store, 4);

            // Each page written again enters on its first read, from the device, and is served from RAM, with its
            // new bytes, on the second.
            store.removePage(record, 0);
            assertThat(store.write(record, 0, pageOf(200))).isTrue();
            assertThat(read(store, record, 0)).isEqualTo(pageOf(200));
            assertThat(ramHits(store)).isEqualTo(4);
            assertThat(read(store, record, 0)).isEqualTo(pageOf(200));
            assertThat(ramHits(store)).isEqualTo(5);

            store.setSize(record, 2L * PAGE);
            store.setSize(record, 1 << 20);
            assertThat(store.write(record, 3, pageOf(203))).isTrue();
            assertThat(read(store, record, 3)).isEqualTo(pageOf(203));
            assertThat(read(store, record, 3)).isEqualTo(pageOf(203));
            assertThat(ramHits(store)).isEqualTo(6);

            store.discard(record);
            store.setSize(record, 1 << 20);
            assertThat(store.write(record, 1, pageOf(201))).isTrue();
            assertThat(read(store, record, 1)).isEqualTo(pageOf(201));
            assertThat(read(store, record, 1)).isEqualTo(pageOf(201));
            assertThat(ramHits(store)).isEqualTo(7);
            assertThat(read(store, record, 0)).isNull();
            assertThat(read(store, record, 3)).isNull();
            store.release(record);
        }
    }

    @Test
    void aPageCorruptedOnTheDeviceAfterItEnteredRamIsServedAsWrittenUntilItChanges() throws IOException
    {
        final long block;
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord record = store.create(0, KEY, 1, new byte[0], 1 << 20);
            store.write(record, 0, pageOf(7));
            store.commit();
            block = record.lastBlock;
            assertThat(read(store, record, 0)).isEqualTo(pageOf(7));
            try (FileChannel channel = FileChannel.open(image, StandardOpenOption.WRITE))
            {
                channel.write(ByteBuffer.wrap(new byte[]{ 1, 2, 3, 4 }), block * PAGE);
            }
            assertThat(read(store, record, 0)).isEqualTo(pageOf(7));
            assertThat(ramHits(store)).isEqualTo(1);
            store.write(record, 0, pageOf(8));
            assertThat(read(store, record, 0)).isEqualTo(pageOf(8));
            store.release(record);
        }
    }

    @Test
    void aTierOfZeroBytesIsOffAndReadsGoToTheDevice() throws IOException
    {
        try (CacheStore store = CacheStore.mount(image, OPTIONS.withRamTierBytes(0)))
        {
            assertThat(store.ram()).isNull();
            final ObjectRecord record = store.create(0, KEY, 1, new byte[0], 1 << 20);
            store.write(record, 0, pageOf(3));
            assertThat(read(store, record, 0)).isEqualTo(pageOf(3));
            assertThat(read(store, record, 0)).isEqualTo(pageOf(3));
            assertThat(store.stats().readHits.sum()).isEqualTo(2);
            store.release(record);
        }
    }

    @Test
    void aScanOfTenTimesTheTierLeavesTheHotSetResident() throws IOException
    {
        final int capacity = 1024;
        final int hot = capacity / 2;
        final int scan = 10 * capacity;
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord hotFile = store.create(0, "hot".getBytes(), 1, new byte[0], (long)hot * PAGE);
            final ObjectRecord scanFile = store.create(0, "scan".getBytes(), 1, new byte[0], (long)scan * PAGE);
            for (int p = 0; p < hot; p++)
            {
                store.write(hotFile, p, pageOf(p));
            }
            for (int p = 0; p < scan; p++)
            {
                store.write(scanFile, p, pageOf(p));
            }
            // The hot set is read a few times: it enters and is seen often.
            for (int round = 0; round < 4; round++)
            {
                for (int p = 0; p < hot; p++)
                {
                    assertThat(read(store, hotFile, p)).isEqualTo(pageOf(p));
                }
            }
            for (int p = 0; p < scan; p++)
            {
                assertThat(read(store, scanFile, p)).isEqualTo(pageOf(p));
            }
            final long before = ramHits(store);
            for (int p = 0; p < hot; p++)
            {
                assertThat(read(store, hotFile, p)).isEqualTo(pageOf(p));
            }
            final long resident = ramHits(store) - before;
            System.out.println("hot pages still in RAM after a scan of 10x the tier: " + resident + " of " + hot);
            assertThat(resident).isGreaterThanOrEqualTo(hot * 8L / 10);
            store.release(hotFile);
            store.release(scanFile);
        }
    }

    @Test
    void aResidentReadCopiesByteRangesOfPagesInRamAndStopsAtAPageThatChanged() throws IOException
    {
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord record = objectInRam(store, 4);
            final ByteBuffer dst = ByteBuffer.allocate(6 * PAGE);
            final long hits = store.stats().readHits.sum();

            assertThat(store.readResident(record, 10, dst, 3, 4 * PAGE)).isEqualTo(4 * PAGE - 10);
            for (int i = 0; i < 4 * PAGE - 10; i++)
            {
                final int at = 10 + i;
                assertThat(dst.get(3 + i)).as("byte %d", at).isEqualTo(pageOf(at / PAGE).get(at % PAGE));
            }
            assertThat(dst.get(2)).isZero();
            assertThat(dst.get(3 + 4 * PAGE - 10)).isZero();
            assertThat(dst.position()).isZero();
            assertThat(ramHits(store)).isEqualTo(8);
            assertThat(store.stats().readHits.sum()).isEqualTo(hits + 4);

            // A page rewritten, removed or truncated away is not copied, nor anything after it.
            store.write(record, 2, pageOf(20));
            assertThat(store.readResident(record, 0, dst, 0, 4 * PAGE)).isEqualTo(2 * PAGE);
            store.removePage(record, 1);
            assertThat(store.readResident(record, 0, dst, 0, 4 * PAGE)).isEqualTo(PAGE);
            store.setSize(record, 0);
            assertThat(store.readResident(record, 0, dst, 0, 4 * PAGE)).isZero();
            assertThat(store.readResident(record, 3L * PAGE, dst, 0, PAGE)).isZero();
            store.release(record);
        }
    }

    @Test
    void aResidentReadCopiesNothingWithTheTierOffOrTheStoreClosed() throws IOException
    {
        final ByteBuffer dst = ByteBuffer.allocate(PAGE);
        try (CacheStore store = CacheStore.mount(image, OPTIONS.withRamTierBytes(0)))
        {
            assertThat(store.ram()).isNull();
            final ObjectRecord record = store.create(0, KEY, 1, new byte[0], 1 << 20);
            store.write(record, 0, pageOf(0));
            assertThat(read(store, record, 0)).isEqualTo(pageOf(0));
            assertThat(store.readResident(record, 0, dst, 0, PAGE)).isZero();
            store.release(record);
        }
        final CacheStore store = CacheStore.mount(image, OPTIONS);
        final ObjectRecord record = objectInRam(store, 1);
        assertThat(store.readResident(record, 0, dst, 0, PAGE)).isEqualTo(PAGE);
        store.release(record);
        store.close();
        assertThat(store.readResident(record, 0, dst, 0, PAGE)).isZero();
    }
}
