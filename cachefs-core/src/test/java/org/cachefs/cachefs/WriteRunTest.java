package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.DirectBlockDevice;
import org.cachefs.format.testing.FaultInjectingDevice;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Write-behind: pages of an object on consecutive blocks gather in a run of up to 32 blocks; a full run is written
 * by one of the store's writer threads while the netfs goes on. A page in a run is never read from the device before
 * the run is there, a miss does not cut a run short, and a failed run write stops the store.
 */
class WriteRunTest
{
    private static final MountOptions OPTIONS = MountOptions.defaults().withCommitIntervalSeconds(0)
        .withBackgroundCulling(false);
    private static final byte[] KEY = "file".getBytes();
    private static final long TIMEOUT_SECONDS = 20;

    @TempDir
    Path dir;
    Path image;
    long dataStart;

    @BeforeEach
    void format() throws IOException
    {
        image = dir.resolve("cache.img");
        Mkfs.format(image, MkfsOptions.defaults().withSize(16L << 20), null);
        dataStart = RegionLayout.of(4096, (16L << 20) / 4096).dataStart() * 4096;
    }

    private static ByteBuffer pageOf(final long pageIndex)
    {
        final ByteBuffer page = AlignedBuffers.allocate(4096);
        for (int i = 0; i < 4096; i += 8)
        {
            page.putLong(i, pageIndex * 1_000_003L + i);
        }
        return page;
    }

    /** Reads page {@code pageIndex} and checks that it is a hit holding {@code pageOf(content)}. */
    private static void assertHit(
        final CacheStore store, final ObjectRecord record, final long pageIndex, final long content) throws IOException
    {
        final ByteBuffer dst = AlignedBuffers.allocate(4096);
        assertThat(store.read(record, pageIndex, dst)).as("page %d", pageIndex).isEqualTo(CacheStore.READ_HIT);
        assertThat(dst.clear()).as("page %d", pageIndex).isEqualTo(pageOf(content));
    }

    /** Mounts the image again and checks that object {@code KEY} holds pages {@code [0, pages)}, each as written. */
    private void assertPagesAfterRemount(final int pages) throws IOException
    {
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord record = store.lookup(0, KEY);
            assertThat(record.pageCount).isEqualTo(pages);
            for (int p = 0; p < pages; p++)
            {
                assertHit(store, record, p, p);
            }
            store.release(record);
        }
    }

    private static boolean isWriterThread(final Thread thread)
    {
        return thread.getName().startsWith("cachefs-writer-");
    }

    @Test
    void aMissDoesNotWriteTheOpenRunAndACommitWritesItInOneIo() throws IOException
    {
        final FaultInjectingDevice device = new FaultInjectingDevice(DirectBlockDevice.open(image));
        try (CacheStore store = CacheStore.mount(device, OPTIONS))
        {
            final ObjectRecord record = store.create(0, KEY, 1, new byte[0], 1 << 20);
            store.commit();
            final long writesBefore = device.writes();
            for (int p = 0; p < 10; p++)
            {
                assertThat(store.write(record, p, pageOf(p))).isTrue();
            }
            assertThat(store.read(record, 10, AlignedBuffers.allocate(4096))).isEqualTo(CacheStore.READ_MISS);
            assertThat(device.writes()).as("no device write for ten pages and a miss").isEqualTo(writesBefore);
            assertThat(store.stats().runWrites.sum()).isZero();

            store.commit();
            assertThat(store.stats().runWrites.sum()).as("the ten pages in one I/O").isEqualTo(1);
            store.release(record);
        }
    }

    @Test
    void objectsWrittenAtTheSameTimeEachGetConsecutiveBlocksAndWholeRuns() throws IOException
    {
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord a = store.create(0, "a".getBytes(), 1, new byte[0], 1 << 20);
            final ObjectRecord b = store.create(0, "b".getBytes(), 1, new byte[0], 1 << 20);
            final long[] blocksOfA = new long[WriteRun.MAX_BLOCKS];
            final long[] blocksOfB = new long[WriteRun.MAX_BLOCKS];
            for (int p = 0; p < WriteRun.MAX_BLOCKS; p++)
            {
                assertThat(store.write(a, p, pageOf(p))).isTrue();
                blocksOfA[p] = a.lastBlock;
                assertThat(store.write(b, p, pageOf(1000 + p))).isTrue();
                blocksOfB[p] = b.lastBlock;
            }
            for (int p = 1; p < WriteRun.MAX_BLOCKS; p++)
            {
                assertThat(blocksOfA[p]).as("block of a's page %d", p).isEqualTo(blocksOfA[0] + p);
                assertThat(blocksOfB[p]).as("block of b's page %d", p).isEqualTo(blocksOfB[0] + p);
            }
            store.commit();
            assertThat(store.stats().runWrites.sum()).as("one full run per object").isEqualTo(2);
            for (int p = 0; p < WriteRun.MAX_BLOCKS; p++)
            {
                assertHit(store, b, p, 1000 + p);
            }
            store.release(a);
            store.release(b);
        }
    }

    /** The page-map leaf of page {@code i * LEAF} differs for every i. */
    private static final int LEAF = org.cachefs.format.PageMapNode.fanout(4096);

    /**
     * Writes pages {@code LEAF - 31 .. LEAF - 1} of {@code a} (a run of 31 blocks, one page-map leaf), then pages in
     * leaves of their own of {@code b} until {@code dirtyBefore} nodes are dirty, then page {@code LEAF} of {@code a}:
     * the write that fills and seals the run and dirties a new leaf.
     *
     * @return the dirty nodes that last write added (when it did not commit), or -1 if it committed.
     */
    private static int sealingWrite(final CacheStore store, final int dirtyBefore) throws IOException
    {
        final ObjectRecord a = store.create(0, "a".getBytes(), 1, new byte[0], 1L << 30);
        final ObjectRecord b = store.create(0, "b".getBytes(), 1, new byte[0], 1L << 30);
        store.commit();
        for (int p = LEAF - (WriteRun.MAX_BLOCKS - 1); p < LEAF; p++)
        {
            assertThat(store.write(a, p, pageOf(p))).isTrue();
        }
        for (int leaf = 0; store.snapshot().dirtyNodes() < dirtyBefore; leaf++)
        {
            assertThat(store.write(b, (long)leaf * LEAF, pageOf(leaf))).isTrue();
        }
        assertThat(store.snapshot().dirtyNodes()).isEqualTo(dirtyBefore);
        final long generation = store.snapshot().generation();
        assertThat(store.write(a, LEAF, pageOf(LEAF))).isTrue();
        final int added = (int)(store.snapshot().dirtyNodes() - dirtyBefore);
        final boolean committed = store.snapshot().generation() != generation;
        store.release(a);
        store.release(b);
        return committed ? -1 : added;
    }

    @Test
    void aCommitInTheWriteThatSealsARunWritesThatRunItself() throws Exception
    {
        final MountOptions fewDirtyNodes = OPTIONS.withMaxDirtyNodes(64);
        final Path probe = dir.resolve("probe.img");
        Mkfs.format(probe, MkfsOptions.defaults().withSize(16L << 20), null);
        final int added;
        try (CacheStore store = CacheStore.mount(probe, fewDirtyNodes))
        {
            added = sealingWrite(store, 10);
        }
        assertThat(added).as("nodes the sealing write dirties").isPositive();

        // Now the sealing write reaches the dirty-node limit: it commits before the run is handed to the writer.
        // (Not closed if the write hangs: closing would wait for the same run.)
        final CacheStore store = CacheStore.mount(image, fewDirtyNodes);
        final CompletableFuture<Integer> write = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return sealingWrite(store, 64 - added);
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        assertThat(write.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("the sealing write committed").isEqualTo(-1);
        assertThat(store.stats().runWrites.sum()).isGreaterThanOrEqualTo(1);
        store.close();

        try (CacheStore again = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord a = again.lookup(0, "a".getBytes());
            assertThat(a.pageCount).isEqualTo(WriteRun.MAX_BLOCKS);
            for (int p = LEAF - (WriteRun.MAX_BLOCKS - 1); p <= LEAF; p++)
            {
                assertHit(again, a, p, p);
            }
            again.release(a);
        }
    }

    @Test
    void beyondTheOpenRunLimitTheOldestRunIsHandedToTheWriters() throws Exception
    {
        final FaultInjectingDevice device = new FaultInjectingDevice(DirectBlockDevice.open(image));
        try (CacheStore store = CacheStore.mount(device, OPTIONS))
        {
            final int objects = CacheStore.MAX_OPEN_RUNS + 4;
            final ObjectRecord[] records = new ObjectRecord[objects];
            for (int i = 0; i < objects; i++)
            {
                records[i] = store.create(0, ("file-" + i).getBytes(), 1, new byte[0], 1 << 20);
            }
            store.commit();
            device.holdWrites(dataStart, WriteRunTest::isWriterThread);
            try
            {
                for (int i = 0; i < objects; i++)
                {
                    assertThat(store.write(records[i], 0, pageOf(i))).isTrue();
                }
                assertThat(device.awaitHeldWrites(1, TIMEOUT_SECONDS, TimeUnit.SECONDS))
                    .as("the run of the first object goes to the writer").isTrue();
                assertThat(store.sealedRunCount()).as("the runs of the first four objects, sealed").isEqualTo(4);
            }
            finally
            {
                device.releaseWrites();
            }
            store.commit();
            assertThat(store.stats().runWrites.sum()).isEqualTo(objects);
            for (int i = 0; i < objects; i++)
            {
                assertHit(store, records[i], 0, i);
                store.release(records[i]);
            }
        }
    }

    @Test
    void aCommitWritesConsecutiveNodeBlocksTogether() throws IOException
    {
        final FaultInjectingDevice device = new FaultInjectingDevice(DirectBlockDevice.open(image));
        final int objects = 40;
        try (CacheStore store = CacheStore.mount(device, OPTIONS))
        {
            for (int i = 0; i < objects; i++)
            {
                final ObjectRecord record = store.create(0, ("file-" + i).getBytes(), 1, new byte[0], 1 << 20);
                assertThat(store.write(record, 0, pageOf(i))).isTrue();
                store.release(record);
            }
            final long nodesBefore = store.snapshot().nodeWrites();
            final long writesBefore = device.writes();
            store.commit();
            final long nodes = store.snapshot().nodeWrites() - nodesBefore;
            final long writes = device.writes() - writesBefore;
            assertThat(nodes).as("a page-map node per object, and the index").isGreaterThan(objects);
            // The 40 one-page runs, a few gathered node writes, the bitmap blocks and the commit slot.
            assertThat(writes).isLessThan(objects + 10);
        }
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            for (int i = 0; i < objects; i++)
            {
                final ObjectRecord record = store.lookup(0, ("file-" + i).getBytes());
                assertHit(store, record, 0, i);
                store.release(record);
            }
        }
    }

    @Test
    void aPageOfARunBeingWrittenIsReadOnceTheRunIsOnTheDevice() throws Exception
    {
        final FaultInjectingDevice device = new FaultInjectingDevice(DirectBlockDevice.open(image));
        try (CacheStore store = CacheStore.mount(device, OPTIONS))
        {
            final ObjectRecord record = store.create(0, KEY, 1, new byte[0], 1 << 20);
            device.holdWrites(dataStart, WriteRunTest::isWriterThread);
            for (int p = 0; p < WriteRun.MAX_BLOCKS; p++)
            {
                assertThat(store.write(record, p, pageOf(p))).isTrue();
            }
            assertThat(device.awaitHeldWrites(1, TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .as("the full run is written by the writer thread").isTrue();

            final ByteBuffer dst = AlignedBuffers.allocate(4096);
            final CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return store.read(record, 5, dst);
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            assertThatThrownBy(() -> read.get(200, TimeUnit.MILLISECONDS))
                .as("the read waits for the run").isInstanceOf(TimeoutException.class);

            device.releaseWrites();
            assertThat(read.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo(CacheStore.READ_HIT);
            assertThat(dst.clear()).isEqualTo(pageOf(5));
            assertThat(store.stats().runWrites.sum()).isEqualTo(1);
            store.release(record);
        }
        assertPagesAfterRemount(WriteRun.MAX_BLOCKS);
    }

    @Test
    void aCommitWaitsForTheRunsBeingWritten() throws Exception
    {
        final FaultInjectingDevice device = new FaultInjectingDevice(DirectBlockDevice.open(image));
        final CacheStore store = CacheStore.mount(device, OPTIONS);
        final ObjectRecord record = store.create(0, KEY, 1, new byte[0], 1 << 20);
        device.holdWrites(dataStart, WriteRunTest::isWriterThread);
        for (int p = 0; p < 2 * WriteRun.MAX_BLOCKS; p++)
        {
            assertThat(store.write(record, p, pageOf(p))).isTrue();
        }
        assertThat(device.awaitHeldWrites(1, TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        final long generation = store.snapshot().generation();
        final CompletableFuture<Void> commit = CompletableFuture.runAsync(() ->
        {
            try
            {
                store.commit();
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        assertThatThrownBy(() -> commit.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);

        device.releaseWrites();
        commit.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(store.snapshot().generation()).isEqualTo(generation + 1);
        assertThat(store.stats().runWrites.sum()).isEqualTo(2);
        store.release(record);
        // A crash now: the commit holds all 64 pages, their data on the device before it.
        store.abandon();
        assertPagesAfterRemount(2 * WriteRun.MAX_BLOCKS);
    }

    @Test
    void aFailedRunWriteStopsTheStoreAndTheLastCommitSurvives() throws Exception
    {
        final FaultInjectingDevice device = new FaultInjectingDevice(DirectBlockDevice.open(image));
        final CacheStore store = CacheStore.mount(device, OPTIONS);
        final CompletableFuture<Exception> reported = new CompletableFuture<>();
        store.failureListener(reported::complete);
        final ObjectRecord record = store.create(0, KEY, 1, new byte[0], 1 << 20);
        assertThat(store.write(record, 100, pageOf(100))).isTrue();
        store.commit();

        device.faultsFrom(dataStart);
        device.failNextWrite();
        for (int p = 0; p < WriteRun.MAX_BLOCKS; p++)
        {
            assertThat(store.write(record, p, pageOf(p))).isTrue();
        }
        final Exception failure = reported.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(failure).isInstanceOf(IOException.class).hasMessageContaining("injected write error");
        assertThat(store.failure()).isSameAs(failure);
        assertThatThrownBy(() -> store.write(record, 40, pageOf(40))).isInstanceOf(IOException.class)
            .hasMessage("cache.img stopped after an I/O error: " + failure.getMessage());
        assertThatThrownBy(() -> store.read(record, 0, AlignedBuffers.allocate(4096)))
            .isInstanceOf(IOException.class);
        store.close();

        try (CacheStore again = CacheStore.mount(image, OPTIONS))
        {
            assertThat(again.wasClean()).isFalse();
            final ObjectRecord found = again.lookup(0, KEY);
            assertThat(found.pageCount).as("only the committed page").isEqualTo(1);
            assertHit(again, found, 100, 100);
            assertThat(again.read(found, 0, AlignedBuffers.allocate(4096))).isEqualTo(CacheStore.READ_MISS);
            again.release(found);
        }
    }

    @Test
    void theWriterThreadsWriteAsManyRunsAtOnce() throws Exception
    {
        final FaultInjectingDevice device = new FaultInjectingDevice(DirectBlockDevice.open(image));
        final int threads = 3;
        try (CacheStore store = CacheStore.mount(device, OPTIONS.withWriteThreads(threads)))
        {
            final ObjectRecord record = store.create(0, KEY, 1, new byte[0], 1 << 20);
            store.commit();
            device.holdWrites(dataStart, WriteRunTest::isWriterThread);
            try
            {
                // Four full runs: three writers take one each and wait on the device; the fourth stays queued.
                for (int p = 0; p < 4 * WriteRun.MAX_BLOCKS; p++)
                {
                    assertThat(store.write(record, p, pageOf(p))).isTrue();
                }
                assertThat(device.awaitHeldWrites(threads, TIMEOUT_SECONDS, TimeUnit.SECONDS))
                    .as("three run writes in flight at once").isTrue();
                assertThat(store.sealedRunCount()).isEqualTo(4);
            }
            finally
            {
                device.releaseWrites();
            }
            store.commit();
            assertThat(store.stats().runWrites.sum()).isEqualTo(4);
            for (int p = 0; p < 4 * WriteRun.MAX_BLOCKS; p++)
            {
                assertHit(store, record, p, p);
            }
            store.release(record);
        }
        final long writers = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("cachefs-writer-") && t.getName().endsWith("-cache.img")).count();
        assertThat(writers).as("writer threads left after unmounting").isZero();
    }

    @Test
    void pagesWrittenTogetherAreStoredAsOneAtATimeWouldBe() throws IOException
    {
        final int count = 40;
        final long[] indexes = new long[count];
        final ByteBuffer[] pages = new ByteBuffer[count];
        for (int i = 0; i < count; i++)
        {
            // Pages 0..37 in reverse, then page 5 again (a rewrite within the batch) and one past the object's end.
            indexes[i] = i < 38 ? 37 - i : i == 38 ? 5 : 256;
            pages[i] = pageOf(i == 38 ? 5005 : indexes[i]);
        }
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord record = store.create(0, KEY, 1, new byte[0], 256 * 4096L);
            assertThat(store.reservePage(record, 0)).isTrue();
            assertThat(store.reservePage(record, 1)).isTrue();
            assertThat(store.pendingPages()).isEqualTo(2);
            final long freeBefore = store.snapshot().freeBlocks();
            store.writePages(record, indexes, pages, count, 2);
            assertThat(store.pendingPages()).as("the blocks set aside are given back").isZero();
            assertThat(record.pageCount).as("38 pages; the one past the end is refused").isEqualTo(38);
            assertThat(store.stats().writesRefused.sum()).isEqualTo(1);
            assertThat(store.snapshot().freeBlocks()).as("38 data blocks, and page 5's rewrite block")
                .isLessThanOrEqualTo(freeBefore - 38);
            for (int p = 0; p < 38; p++)
            {
                assertHit(store, record, p, p == 5 ? 5005 : p);
            }
            assertThat(store.read(record, 38, AlignedBuffers.allocate(4096))).isEqualTo(CacheStore.READ_MISS);
            assertThat(pages[0].position()).as("the callers' buffers are left as they were").isZero();
            assertThat(pages[0].limit()).isEqualTo(4096);
            store.release(record);
        }
        try (CacheStore store = CacheStore.mount(image, OPTIONS))
        {
            final ObjectRecord record = store.lookup(0, KEY);
            assertThat(record.pageCount).isEqualTo(38);
            for (int p = 0; p < 38; p++)
            {
                assertHit(store, record, p, p == 5 ? 5005 : p);
            }
            store.release(record);
        }
    }
}
